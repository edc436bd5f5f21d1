@sso_v1
Feature: SSO v1 tells whether telephone numbers are registered
  The SSO (v1) documentation, "UserStatus: This service checks wether a user is registered or
  not. POST /sso/user/status: post an array "user" with telephone numbers as elements to check if
  the users are registered. Keep in mind that the max amount of elements you can post is 100".
  Answer: { "user": "users telephone number ...", "isRegistered": "1 for yes and 0 for not
  registered" }, status 201 Created.

  Interpretations: the answer is an array holding one {"user", "isRegistered"} object per number
  posted (schema sso_v1/user_status). isRegistered is the number 1 or 0, not the string "1" or
  "0": the example's string describes the values. 101 numbers exceed the maximum and get a
  documented client error (400 or 422). The unregistered number is +4900000000000 (German numbers
  have no area code 0, so no one holds it); the registered one is the target's test telephone.

  @documented @interpretation @SSO-024 @SSO-027
  Scenario: A registered and an unregistered number are told apart
    When the client asks whether the test telephone and an unregistered number are registered
    Then the response status is 201
    And the body matches the schema "sso_v1/user_status"
    And the answer says the test telephone is registered
    And the answer says the unregistered number is not registered

  @documented @interpretation @SSO-026
  Scenario: 100 numbers are checked at once
    When the client asks about 100 telephone numbers at once
    Then the response status is 201
    And the answer has one entry for each of the 100 numbers

  @documented @interpretation @SSO-026
  Scenario: 101 numbers are refused
    When the client asks about 101 telephone numbers at once
    Then "POST /sso/user/status" refuses it as invalid, with a status its document lists
