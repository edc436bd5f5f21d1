@losgehts @needs-authorization @LG-008
Feature: losgehts returns the KYC verification record for a valid access token
  The losgehts Ident OAuth 2.0 guide (dev.losgehts.at), "User Info": POST /oauth/userinfo with Content-Type application/json
  and the body token, client_id, client_secret; the answer carries the verification record under
  Verification ("All verification fields must be accessed via response.Verification") and the
  audit log under AuditLog. The answer's example shows expires_in 3600 for the access token.

  Interpretations, each stated in the step that checks it: OAuthState ("OAuth state for
  authentication") is read as the state of the authorization the token came from; OAuthScope
  ("OAuth scopes granted; scopes added automatically per config") is read as including the scopes
  requested. The expiry scenarios (@lifetime) wait out the answer's expires_in (on the mock's clock,
  or in real time with run --lifetimes); "just before" is 10 s early, a margin for the request.
  The document does not say what a missing or invalid token or wrong client credentials get: the
  scenarios accept any 4xx answer that carries no Verification record. It names no Content-Type
  for the answer; its example is JSON, so the answer must say so in its Content-Type (RFC 9110
  §8.3, and RFC 8259 §11's application/json). Every scenario here authorizes with scope kyc (catalogue row LG-008).

  Background:
    Given the user has authorized the client with scope "kyc"
    And the client has exchanged the authorization code for an access token

  @documented @LG-050 @LG-052 @LG-060 @LG-080
  Scenario: The userinfo answer matches the documented record
    When the client requests the userinfo with the access token
    Then the response status is 200
    And the body matches the schema "losgehts/userinfo"

  @interpretation @needs-redirect @LG-061 @LG-062
  Scenario: The record names the authorization's state and scope
    When the client requests the userinfo with the access token
    Then the value at "/Verification/OAuthState" is the state of the authorization
    And the space-separated list at "/Verification/OAuthScope" includes the scope of the authorization

  @rfc9110 @LG-051
  Scenario: The userinfo answer is declared as JSON
    When the client requests the userinfo with the access token
    Then the response Content-Type is JSON

  @documented @LG-053
  Scenario: A request without any token gets no record
    When the client requests the userinfo without a token
    Then the provider refuses it with a client error and no "Verification"

  @documented @LG-053
  Scenario: A token the provider never issued gets no record
    When the client requests the userinfo with a token the provider never issued
    Then the provider refuses it with a client error and no "Verification"

  @documented @LG-054
  Scenario: A request without client credentials gets no record
    When the client requests the userinfo without client credentials
    Then the provider refuses it with a client error and no "Verification"

  @documented @LG-054
  Scenario: A wrong client secret gets no record
    When the client requests the userinfo with a wrong client secret
    Then the provider refuses it with a client error and no "Verification"

  @documented @lifetime @LG-055
  Scenario: The access token still works just before expires_in seconds
    Given the access token is 10 seconds short of its expires_in
    When the client requests the userinfo with the access token
    Then the response status is 200

  @documented @lifetime @LG-055
  Scenario: The access token no longer works after expires_in seconds
    Given the access token's expires_in has passed
    When the client requests the userinfo with the access token
    Then the provider refuses it with a client error and no "Verification"
