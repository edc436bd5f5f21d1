@loginsign @needs-authorization @LS-046 @LS-006 @LS-029
Feature: LoginSign refuses an expired authorization code
  The LoginSign API Reference (loginsign.com), "Error Responses": "invalid_grant: code invalid, expired, ...", and
  the example error "The authorization code has expired".

  The document does not say how long a code lives. RFC 6749 §4.1.2: "A maximum authorization code
  lifetime of 10 minutes is RECOMMENDED"; the scenario lets 10 minutes pass on the embedded mock's
  clock (@mock-only), so it runs alone (@serial). Against a real target it is skipped, with the
  reason: a real deployment's lifetime is its own choice.

  @documented @rfc6749 @mock-only @serial @LS-038 @LS-040
  Scenario: A code ten minutes old is refused with invalid_grant
    Given the user has authorized the client
    And 600 seconds pass on the provider's clock
    When the client exchanges the authorization code
    Then the provider refuses it with status 400 and error "invalid_grant"
    And the body matches the schema "loginsign/error"
