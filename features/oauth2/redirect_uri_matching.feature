@oauth2 @needs-authorization
Feature: An OAuth 2.0 server binds a code to the redirect URI it was sent to
  RFC 6749 §4.1.3: the server MUST "ensure that the "redirect_uri" parameter is present if the
  "redirect_uri" parameter was included in the initial authorization request ..., and if
  included ensure that their values are identical"; §5.2: invalid_grant, HTTP 400, for a grant
  that "does not match the redirection URI used in the authorization request".

  Interpretation: RFC 6749 names no error for a redirect_uri left out when it was required;
  a missing required parameter is invalid_request (§5.2) and a grant that does not match the
  redirection URI of the authorization request is invalid_grant (§5.2), so either passes.

  A dialect whose token request carries no redirect URI (redirect_uri_field = "") cannot run
  this scenario: it fails, saying so.

  @rfc6749 @O2-027
  Scenario: A token request naming another redirect URI is refused with invalid_grant
    Given the user has authorized the client
    When the client exchanges the authorization code with a redirect URI other than the one used
    Then the provider refuses it with status 400 and error "invalid_grant"

  @rfc6749 @O2-028
  Scenario: A token request without the redirect URI the authorization request carried is refused
    Given the user has authorized the client
    When the client exchanges the authorization code without the redirect URI
    Then the provider refuses it with one of
      | status | error           |
      | 400    | invalid_grant   |
      | 400    | invalid_request |
