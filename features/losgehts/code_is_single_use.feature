@losgehts
Feature: losgehts authorization codes are single-use
  The losgehts Ident OAuth 2.0 guide (dev.losgehts.at) does not say whether a code can be exchanged twice, nor what a reused
  code gets. RFC 6749 §4.1.2: "The client MUST NOT use the authorization code more than once. If an
  authorization code is used more than once, the authorization server MUST deny the request"; §5.2
  names the error invalid_grant with HTTP 400. This feature checks the RFC behaviour and is tagged
  so.

  @rfc6749 @needs-authorization @LG-036
  Scenario: A code exchanged a second time is refused with invalid_grant
    Given the user has authorized the client with scope "signup"
    When the client exchanges the authorization code a second time
    Then the provider refuses it with status 400 and error "invalid_grant"
