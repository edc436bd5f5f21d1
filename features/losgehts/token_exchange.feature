@losgehts @needs-authorization
Feature: losgehts exchanges an authorization code for tokens as JSON
  The losgehts Ident OAuth 2.0 guide (dev.losgehts.at), "Token Exchange": POST /oauth/token with Content-Type
  application/json and the body code, state, client_id, client_secret, grant_type
  (authorization_code); the answer carries access_token, token_type "Bearer", expires_in and
  refresh_token.

  RFC 6749 §5.1 adds what every token response must carry: Cache-Control: no-store, and the
  application/json media type (the document's example answer is JSON but names no Content-Type
  for it). The document mentions neither; those scenarios are tagged @rfc6749.

  Background:
    Given the user has authorized the client with scope "signup"

  @documented @LG-030 @LG-031 @LG-032
  Scenario: A valid code is exchanged for an access token
    When the client exchanges the authorization code
    Then the response status is 200
    And the token endpoint answers with an access token
    And the body matches the schema "losgehts/token_response"

  @documented @LG-032
  Scenario: The token type is Bearer
    When the client exchanges the authorization code
    Then the value at "/token_type" is "Bearer"

  @documented @LG-031 @LG-033
  Scenario: The answer says how long the access token lives
    When the client exchanges the authorization code
    Then the value at "/expires_in" is a positive integer

  @rfc6749 @LG-034
  Scenario: The token answer is declared as JSON
    When the client exchanges the authorization code
    Then the response Content-Type is JSON

  @rfc6749 @LG-035
  Scenario: Token responses are not cached
    When the client exchanges the authorization code
    Then the response header "Cache-Control" includes "no-store"
