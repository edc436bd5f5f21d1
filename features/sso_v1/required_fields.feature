@sso_v1
Feature: SSO v1 refuses requests without a required field or with a field of the wrong type
  The SSO (v1) documentation, the "Fields" tables: a row's "Required" column says YES or NO, its
  "Type" column String, boolean or array. The required fields (kept in documents/sso_v1.toml):
  /sso/auth and /sso/code telephone and code; /sso/email and /sso/email-status the e-mail
  address and telephone; /sso/email-optin c; /sso/user/status user; /sso/user username and
  authCode.

  Interpretations: the status lists name both "400: Client Error" and "422: Unprocessable
  Entity"; the document does not say which a missing field gets, so either is accepted where the
  endpoint lists both (and nothing else). POST /sso/sms has no Fields table and lists neither 400
  nor 422: its body {"telephone": ...} is our assumption, and a request without it is checked to
  get 404, the only documented client error not about media types or credentials. GET /sso/user
  lists username and authCode as required fields but has no body: we send them as query
  parameters and, as its list has neither 400 nor 422, expect 404 when one is missing. The name
  of the e-mail rows is blank in the document's tables; "email" is taken from the example body of
  PATCH /sso/email ({ "email": ..., "telephone": ... }). A field of another JSON type than the
  documented one (a number for a String, a string for a boolean or an array) is refused like a
  missing one.

  @documented @interpretation @SSO-013
  Scenario Outline: <endpoint> without "<field>" is refused as invalid
    When the client sends "<endpoint>" without the "<field>" field
    Then "<endpoint>" refuses it as invalid, with a status its document lists

    Examples:
      | endpoint                | field     |
      | POST /sso/sms           | telephone |
      | POST /sso/code          | telephone |
      | POST /sso/code          | code      |
      | POST /sso/auth          | telephone |
      | POST /sso/auth          | code      |
      | POST /sso/user          | username  |
      | POST /sso/user          | authCode  |
      | GET /sso/user           | username  |
      | GET /sso/user           | authCode  |
      | POST /sso/user/status   | user      |
      | PATCH /sso/email-optin  | c         |
      | PATCH /sso/email-status | email     |
      | PATCH /sso/email-status | telephone |

    @resource-test-user-email
    Examples:
      | endpoint         | field     |
      | PATCH /sso/email | email     |
      | PATCH /sso/email | telephone |

  @documented @interpretation @SSO-014 @SSO-025
  Scenario Outline: <endpoint> with "<field>" as a <kind> is refused as invalid
    When the client sends "<endpoint>" with the "<field>" field as a <kind>
    Then "<endpoint>" refuses it as invalid, with a status its document lists

    Examples:
      | endpoint               | field     | kind   |
      | POST /sso/auth         | telephone | number |
      | POST /sso/auth         | agb       | string |
      | POST /sso/code         | code      | number |
      | POST /sso/user         | authCode  | number |
      | POST /sso/user/status  | user      | string |
      | PATCH /sso/email-optin | c         | number |

    @resource-test-user-email
    Examples:
      | endpoint         | field | kind   |
      | PATCH /sso/email | email | number |
