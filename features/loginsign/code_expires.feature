@loginsign @needs-authorization @LS-046 @LS-006 @LS-029
Feature: LoginSign refuses an expired authorization code
  The LoginSign API Reference (loginsign.com), "Error Responses": "invalid_grant: code invalid, expired, ...", and
  the example error "The authorization code has expired".

  The document does not say how long a code lives. RFC 6749 §4.1.2: "A maximum authorization code
  lifetime of 10 minutes is RECOMMENDED"; the scenario lets 10 minutes pass. Against the embedded
  mock its clock moves, so the scenario runs alone; against a real deployment it runs only with
  `run --lifetimes` (@lifetime) and waits 10 real minutes, counted from when the redirect carrying
  the code arrived.

  @documented @rfc6749 @lifetime @LS-038 @LS-040
  Scenario: A code ten minutes old is refused with invalid_grant
    Given the user has authorized the client
    And 600 seconds pass after the authorization code was issued
    When the client exchanges the authorization code
    Then the provider refuses it with status 400 and error "invalid_grant"
    And the body matches the schema "loginsign/error"
