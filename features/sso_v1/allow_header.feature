@sso_v1
Feature: The Allow header names the methods an SSO v1 path allows
  The SSO (v1) documentation, response header table of every endpoint: "Allow | Comma-separated
  list of all HTTP methods allowed".

  Interpretation: the document lists Allow as a response header but not when it is sent, and its
  status lists hold no 405 (where RFC 9110 §15.5.6 requires Allow). We read it as: an answer may
  carry Allow, and when it does, the list includes the method the request used (the method was
  served, so it is allowed). An answer without Allow passes. A method the path does not allow is
  not tried: the document lists no status for it.

  @interpretation @SSO-011
  Scenario Outline: The Allow header of <endpoint>, when sent, lists the method used
    When the client sends a valid "<endpoint>" request
    Then the Allow header, if sent, lists the method used

    Examples:
      | endpoint              |
      | POST /sso/sms         |
      | POST /sso/user/status |

    @resource-test-user-email
    Examples:
      | endpoint         |
      | PATCH /sso/email |
