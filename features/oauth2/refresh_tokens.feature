@oauth2 @needs-refresh @needs-authorization
Feature: An OAuth 2.0 server exchanges the refresh tokens it issued, and only those (RFC 6749 §6)
  RFC 6749 §6: the client sends grant_type "refresh_token" and the refresh_token, and "MUST
  authenticate"; the server "MUST ... validate the refresh token" and answers as §5.1 says
  (§5.1: access_token and token_type REQUIRED). §5.2: invalid_grant for a refresh token that is
  "invalid, expired, revoked ... or was issued to another client".

  Run when the server issues refresh tokens: the dialect's refresh_tokens key, or the refresh_token
  grant in its metadata's grant_types_supported. The refresh request is form-encoded in the RFC's
  names, with the dialect's client authentication.
  A refresh token of another client: grants_are_bound_to_their_client.feature (it needs a
  second registered client).

  Background:
    Given the user has authorized the client
    And the client has exchanged the authorization code for an access token

  @rfc6749 @O2-021
  Scenario: A refresh token is exchanged for a new access token
    When the client refreshes the access token
    Then the response status is 200
    And the token endpoint answers with an access token
    And the body matches the schema "oauth2/token_response"

  @rfc6749 @O2-022
  Scenario: A refresh token the server never issued is refused with invalid_grant
    When the client refreshes with a refresh token the provider never issued
    Then the provider refuses it with status 400 and error "invalid_grant"
