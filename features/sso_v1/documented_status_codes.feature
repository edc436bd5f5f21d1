@sso_v1
Feature: SSO v1 answers with the status codes its document lists
  The SSO (v1) documentation, "Status Codes" of every endpoint: the POST endpoints list
  "201: Created", GET /sso/user and the PATCH endpoints "200: OK"; each endpoint's full list is
  kept as data in documents/sso_v1.toml and checked by the generic step "the status is one the
  document lists for ...".

  Interpretations: a "valid request" is the documented request filled from the target's test
  user (test_telephone, and the SMS code from test_sms_code_env). For POST and GET /sso/user the
  step first signs in (POST /sso/sms, then POST /sso/auth with the SMS code) to obtain the auth
  code the document calls "through login process generated auth code". The document shows no
  request body for POST /sso/sms; we send {"telephone": ...}. PATCH /sso/email changes the test
  user's e-mail address at a real provider (@changes-profile).

  @documented @SSO-012 @SSO-009
  Scenario Outline: A valid <endpoint> request is answered with <status>
    When the client sends a valid "<endpoint>" request
    Then the response status is <status>
    And the status is one the document lists for "<endpoint>"
    And the response Content-Type is one the document lists for "<endpoint>"

    Examples:
      | endpoint              | status |
      | POST /sso/sms         | 201    |
      | POST /sso/user/status | 201    |

  @documented @changes-profile @resource-test-user-email @SSO-012 @SSO-009 @SSO-021
  Scenario: A valid PATCH /sso/email request is answered with 200
    When the client sends a valid "PATCH /sso/email" request
    Then the response status is 200
    And the status is one the document lists for "PATCH /sso/email"
    And the response Content-Type is one the document lists for "PATCH /sso/email"

  @documented @needs-sms-code @SSO-012 @SSO-009
  Scenario Outline: After an SMS code was sent, a valid <endpoint> request is answered with <status>
    Given the client has requested an SMS code for the test telephone
    When the client sends a valid "<endpoint>" request
    Then the response status is <status>
    And the status is one the document lists for "<endpoint>"
    And the response Content-Type is one the document lists for "<endpoint>"

    Examples:
      | endpoint       | status |
      | POST /sso/code | 201    |
      | POST /sso/auth | 201    |
      | POST /sso/user | 201    |
      | GET /sso/user  | 200    |
