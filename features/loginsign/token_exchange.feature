@loginsign @needs-authorization @LS-006 @LS-029
Feature: LoginSign exchanges an authorization code for tokens, with the client credentials in the form or in HTTP Basic
  The LoginSign API Reference (loginsign.com), "POST /oauth/token: Exchange authorization code for access token":
  "Content-Type: application/x-www-form-urlencoded"; "Client credentials are accepted either via
  form fields or Authorization header: Authorization: Basic base64(client_id:client_secret)". The
  request body is grant_type=authorization_code, code, client_id, client_secret, redirect_uri;
  the answer {"access_token", "token_type": "Bearer", "expires_in": 3600, "refresh_token"}.

  Interpretations:
  - Each way of sending the credentials is checked on its own: the form fields (the example), and
    HTTP Basic with no client_id or client_secret in the form.
  - Every member of the example answer is required (schema loginsign/token_response); expires_in
    is a number of seconds (RFC 6749 §5.1), not necessarily 3600.
  - RFC 6749 §5.1 adds Cache-Control: no-store, which the document does not mention (@rfc6749),
    and names the answer's media type, application/json; the document shows a JSON answer.
  - The document shows a refresh_token but no refresh grant; no scenario uses it.

  Background:
    Given the user has authorized the client

  @documented @LS-030 @LS-031
  Scenario: Client credentials in the form fields are exchanged for tokens
    When the client exchanges the authorization code
    Then the response status is 200
    And the token endpoint answers with an access token
    And the body matches the schema "loginsign/token_response"

  @documented @LS-030 @LS-031
  Scenario: Client credentials in HTTP Basic are exchanged for tokens
    When the client exchanges the authorization code with its credentials in HTTP Basic
    Then the response status is 200
    And the token endpoint answers with an access token
    And the body matches the schema "loginsign/token_response"

  @documented @LS-030
  Scenario: The token type is Bearer
    When the client exchanges the authorization code
    Then the value at "/token_type" is "Bearer"

  @documented @LS-031
  Scenario: The answer says how long the access token lives
    When the client exchanges the authorization code
    Then the value at "/expires_in" is a positive integer

  @rfc6749 @LS-033
  Scenario: Token responses are not cached
    When the client exchanges the authorization code
    Then the response header "Cache-Control" includes "no-store"

  @documented @rfc6749 @LS-032
  Scenario: The token answer is JSON by its Content-Type
    When the client exchanges the authorization code
    Then the response status is 200
    And the response Content-Type is "application/json" (RFC 6749 §5.1)
