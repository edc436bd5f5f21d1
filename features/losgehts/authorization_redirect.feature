@losgehts @needs-authorization @needs-redirect
Feature: losgehts authorization redirects back with a code and the same state
  The losgehts Ident OAuth 2.0 guide (dev.losgehts.at), "Authorization" and "Callback": GET /oauth/authorize takes
  client_id, state and scope (required) and locale and country (optional). "After authorization,
  the user is redirected to your callback URL with: code, the authorization code; state, the same
  value you supplied." Scopes are space-separated; the documented values are signup, kyc, sof and
  business.

  Interpretations: the callback URL is the one registered for the client (the authorize request
  carries no redirect_uri). A user completes each authorization (@needs-authorization), through
  the target's authorization strategy: against an auto-approving sandbox or the embedded mock the
  harness reads the redirect without following it; a callback listener or a command can stand in
  for the person's browser (docs/target-files.md).

  @documented @LG-002 @LG-020 @LG-021
  Scenario: The callback carries a code and the state the client sent
    When the client requests authorization with scope "signup"
    Then the provider redirects to the callback with a code
    And the callback carries the same state

  @documented @LG-008 @LG-020
  Scenario Outline: Each documented scope value is accepted: <scope>
    When the client requests authorization with scope "<scope>"
    Then the provider redirects to the callback with a code

    Examples:
      | scope       |
      | kyc         |
      | sof         |
      | business    |
      | signup kyc  |

  @documented @LG-010 @LG-012 @LG-020
  Scenario: locale and country are optional
    When the client requests authorization with scope "signup" and no optional parameter
    Then the provider redirects to the callback with a code

  @documented @LG-008 @LG-012 @LG-020 @LG-021
  Scenario: A country context may be forced
    When the client requests authorization with scope "kyc" and country "AT"
    Then the provider redirects to the callback with a code
    And the callback carries the same state
