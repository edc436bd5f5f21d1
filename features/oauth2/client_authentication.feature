@oauth2 @needs-authorization
Feature: An OAuth 2.0 server refuses a client that does not authenticate
  RFC 6749 §3.2.1: "Confidential clients ... MUST authenticate with the authorization server as
  described in Section 2.3 when making requests to the token endpoint"; §4.1.3 "require client
  authentication for confidential clients". §5.2, invalid_client: "Client authentication failed
  (e.g., unknown client, no client authentication included, or unsupported authentication
  method). The authorization server MAY return an HTTP 401 (Unauthorized) status code to
  indicate which HTTP authentication schemes are supported. If the client attempted to
  authenticate via the "Authorization" request header field, the authorization server MUST
  respond with an HTTP 401 (Unauthorized) status code and include the "WWW-Authenticate"
  response header field".

  Interpretations: the RFC leaves the status open for body credentials; the check accepts 400 or
  401 with invalid_client then, and demands 401 with WWW-Authenticate for HTTP Basic. The request
  without client authentication names the client in a client_id field, as a public client does
  (§4.1.3), and carries no secret.

  Background:
    Given the user has authorized the client

  @rfc6749 @O2-012 @O2-013
  Scenario: A wrong client secret is refused with invalid_client
    When the client exchanges the authorization code with a wrong client secret
    Then the provider refuses the client authentication as RFC 6749 §5.2 requires

  @rfc6749 @O2-014
  Scenario: A token request without client authentication is refused with invalid_client
    When the client exchanges the authorization code without client authentication
    Then the provider refuses it with status 400 or 401 and error "invalid_client"

  @rfc6749 @O2-015 @O2-013
  Scenario: An unknown client id is refused with invalid_client
    When the client exchanges the authorization code with a client id the provider does not know
    Then the provider refuses the client authentication as RFC 6749 §5.2 requires
