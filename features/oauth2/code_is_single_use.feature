@oauth2 @needs-authorization
Feature: An OAuth 2.0 server refuses an authorization code used twice
  RFC 6749 §4.1.2: "The client MUST NOT use the authorization code more than once. If an
  authorization code is used more than once, the authorization server MUST deny the request";
  §5.2 names the error: invalid_grant, HTTP 400.

  @rfc6749 @O2-016
  Scenario: A code exchanged a second time is refused with invalid_grant
    Given the user has authorized the client
    When the client exchanges the authorization code a second time
    Then the provider refuses it with status 400 and error "invalid_grant"
