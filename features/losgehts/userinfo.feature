@losgehts @needs-authorization
Feature: losgehts returns the KYC verification record for a valid access token
  The losgehts Ident OAuth 2.0 guide (dev.losgehts.at), "User Info": POST /oauth/userinfo with Content-Type application/json
  and the body token, client_id, client_secret; the answer carries the verification record under
  Verification ("All verification fields must be accessed via response.Verification") and the
  audit log under AuditLog. The answer's example shows expires_in 3600 for the access token.

  Interpretations, each stated in the step that checks it: OAuthState ("OAuth state for
  authentication") is read as the state of the authorization the token came from; OAuthScope
  ("OAuth scopes granted; scopes added automatically per config") is read as including the scopes
  requested. The expiry scenario moves the mock's clock, so it runs alone (@serial). The document
  does not say what an invalid token or wrong client credentials get: the
  scenarios accept any 4xx answer that carries no Verification record.

  Background:
    Given the user has authorized the client with scope "kyc"
    And the client has exchanged the authorization code for an access token

  @documented
  Scenario: The userinfo answer matches the documented record
    When the client requests the userinfo with the access token
    Then the response status is 200
    And the body matches the schema "losgehts/userinfo"

  @interpretation @needs-redirect
  Scenario: The record names the authorization's state and scope
    When the client requests the userinfo with the access token
    Then the value at "/Verification/OAuthState" is the state of the authorization
    And the space-separated list at "/Verification/OAuthScope" includes the scope of the authorization

  @documented
  Scenario: A token the provider never issued gets no record
    When the client requests the userinfo with a token the provider never issued
    Then the provider refuses it with a client error and no "Verification"

  @documented
  Scenario: A wrong client secret gets no record
    When the client requests the userinfo with a wrong client secret
    Then the provider refuses it with a client error and no "Verification"

  @documented @mock-only @serial
  Scenario: The access token no longer works after expires_in seconds
    Given 3600 seconds pass on the provider's clock
    When the client requests the userinfo with the access token
    Then the provider refuses it with a client error and no "Verification"
