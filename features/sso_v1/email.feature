@sso_v1
Feature: SSO v1 changes a user's e-mail address after an opt-in
  The SSO (v1) documentation: "Add users email address to profiles data PATCH /sso/email updates
  users email address and send opt in mail for submitting the change" (body { "email", "telephone"
  }, 200 OK); "EmailOptin PATCH /sso/email-optin" with "c | String | users code"; "EmailStatus
  PATCH /sso/email-status" with the e-mail address and telephone. None shows a response body.

  Interpretations: c is the code of the opt-in mail; PATCH /sso/email-optin with it confirms the
  change, with a code the provider never sent it gets a documented client error. PATCH
  /sso/email-status is read as asking about the address of a telephone's account, pending or
  confirmed: 200 for the address just submitted. Reading the opt-in mail needs the embedded
  mock's mailbox (@mock-only). At a real provider these scenarios change the test user's e-mail
  address to a generated one at example.com (@changes-profile).

  A provider keeps one pending address per user: a second change replaces the first, and the
  first's opt-in code and status are gone. Every scenario that sends PATCH /sso/email (here and
  in the other SSO v1 features) declares the test user's e-mail as a shared resource
  (@resource-test-user-email), and the runner never runs two of them at once.

  @documented @changes-profile @resource-test-user-email @SSO-021 @SSO-012 @SSO-009
  Scenario: Changing the e-mail address is answered with 200
    When the client changes the test user's e-mail address
    Then the response status is 200
    And the response Content-Type is one the document lists for "PATCH /sso/email"

  @documented @mock-only @resource-test-user-email @SSO-021
  Scenario: Changing the e-mail address sends an opt-in mail
    When the client changes the test user's e-mail address
    Then the provider has sent an opt-in mail to the new address

  @documented @interpretation @mock-only @resource-test-user-email @SSO-019 @SSO-021 @SSO-012
  Scenario: The opt-in code confirms the new address
    Given the client has changed the test user's e-mail address
    And the provider has sent an opt-in mail to the new address
    When the client confirms the new address with the opt-in code
    Then the response status is 200

  @documented @interpretation @SSO-019
  Scenario: An opt-in code the provider never sent is refused
    When the client confirms an address with an opt-in code the provider never sent
    Then "PATCH /sso/email-optin" refuses it with a client error its document lists

  @documented @interpretation @changes-profile @resource-test-user-email @SSO-020 @SSO-021 @SSO-012
  Scenario: The status of the new e-mail address is answered with 200
    Given the client has changed the test user's e-mail address
    When the client asks for the status of the new e-mail address
    Then the response status is 200
    And the status is one the document lists for "PATCH /sso/email-status"
