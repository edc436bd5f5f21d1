@oauth2 @needs-second-client @needs-authorization
Feature: An OAuth 2.0 server lets only the client a grant was issued to use it
  RFC 6749 §4.1.3: the server MUST "ensure that the authorization code was issued to the
  authenticated confidential client"; §6: it MUST "ensure that the refresh token was issued to
  the authenticated client"; §5.2: invalid_grant for a grant that "was issued to another
  client".

  Needs a second client registered with the server (second_client_id and
  second_client_secret_env in the target file); without one these scenarios are skipped. The
  second client authenticates as the dialect says (HTTP Basic by default).

  Background:
    Given the user has authorized the client

  @rfc6749 @O2-036
  Scenario: A code issued to one client is refused to another with invalid_grant
    When the second client exchanges the authorization code
    Then the provider refuses it with status 400 and error "invalid_grant"

  @rfc6749 @needs-refresh @O2-023
  Scenario: A refresh token issued to one client is refused to another with invalid_grant
    Given the client has exchanged the authorization code for an access token
    When the second client refreshes with the first client's refresh token
    Then the provider refuses it with status 400 and error "invalid_grant"
