@oauth2 @needs-pkce
Feature: An OAuth 2.0 server binds a code to its PKCE challenge (RFC 7636)
  RFC 7636 §4.5: the token request carries code_verifier (REQUIRED). §4.6: the server "MUST
  verify it by calculating the code challenge from the received "code_verifier" and comparing it
  with the previously associated "code_challenge" ... If the values are not equal, an error
  response indicating "invalid_grant" as described in Section 5.2 of [RFC6749] MUST be
  returned." §4.4.1: "If the server supporting PKCE does not support the requested
  transformation, the authorization endpoint MUST return the authorization error response with
  "error" value set to "invalid_request"."

  The dialect's pkce key says which method the authorization requests use (S256, plain, none),
  read from code_challenge_methods_supported when the target names its issuer.
  Interpretation: RFC 7636 names no error for a verifier left out while a challenge was sent;
  a missing required parameter is invalid_request (RFC 6749 §5.2) and a verification that
  cannot succeed is invalid_grant (§4.6), so either passes. A plain challenge is refused only by
  a server whose metadata lists S256 and not plain (@needs-pkce-s256-only).

  @rfc7636 @needs-authorization @O2-024
  Scenario: A wrong code verifier is refused with invalid_grant
    Given the user has authorized the client
    When the client exchanges the authorization code with a wrong code verifier
    Then the provider refuses it with status 400 and error "invalid_grant"

  @rfc7636 @needs-authorization @O2-025
  Scenario: A code issued for a challenge is not exchanged without the code verifier
    Given the user has authorized the client
    When the client exchanges the authorization code without the code verifier
    Then the provider refuses it with one of
      | status | error           |
      | 400    | invalid_grant   |
      | 400    | invalid_request |

  @rfc7636 @needs-pkce-s256-only @O2-026 @O2-005
  Scenario: A plain challenge is refused by a server supporting only S256
    When the client requests authorization with a plain PKCE challenge
    Then the provider redirects to the callback with error "invalid_request" and the same state
