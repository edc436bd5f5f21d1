@sso_v1
Feature: SSO v1 asks for credentials where its document lists the Authorization header
  The SSO (v1) documentation: the request header tables of /sso/auth, /sso/code, /sso/email,
  /sso/user/status and /sso/user (POST and GET) list "Authorization | HTTP Basic, HTTP Digest, or
  OAuth2 Bearer token (check API provider for details)", and their status lists hold
  "401: Unauthorized" and "403: Forbidden". /sso/sms, /sso/email-optin and /sso/email-status list
  no Authorization header and no 401 or 403.

  Interpretations: the scheme is left to the provider; the harness sends HTTP Basic with the
  target's client_id and the secret named by client_secret_env (the embedded mock accepts exactly
  these). A request without the header gets 401 (RFC 9110 §15.5.2); a request with wrong
  credentials gets 401 or 403, both listed. The endpoints without the header serve requests
  without it: their answer is one their list holds, which excludes 401 and 403. A 403 could also
  refuse a wrong SMS code or auth code, so wrong credentials at /sso/auth, /sso/code and
  /sso/user are sent with an otherwise valid request, after a sign-in (@needs-sms-code).

  @documented @SSO-005
  Scenario Outline: <endpoint> refuses a request without the Authorization header
    When the client sends "<endpoint>" without the Authorization header
    Then "<endpoint>" refuses it as unauthorized

    Examples:
      | endpoint              |
      | POST /sso/auth        |
      | POST /sso/code        |
      | POST /sso/user        |
      | GET /sso/user         |
      | POST /sso/user/status |

    @resource-test-user-email
    Examples:
      | endpoint         |
      | PATCH /sso/email |

  @documented @SSO-006
  Scenario Outline: <endpoint> refuses wrong credentials
    When the client sends "<endpoint>" with wrong credentials
    Then "<endpoint>" refuses the credentials

    Examples:
      | endpoint              |
      | POST /sso/user/status |

    @resource-test-user-email
    Examples:
      | endpoint         |
      | PATCH /sso/email |

  @documented @needs-sms-code @SSO-006
  Scenario Outline: <endpoint> refuses wrong credentials with an otherwise valid request
    Given the test user has signed in with the SMS code
    When the client sends "<endpoint>" with wrong credentials
    Then "<endpoint>" refuses the credentials

    Examples:
      | endpoint       |
      | POST /sso/auth |
      | POST /sso/code |
      | POST /sso/user |
      | GET /sso/user  |

  @documented @interpretation @SSO-008 @SSO-012
  Scenario Outline: <endpoint> documents no Authorization and serves requests without it
    When the client sends "<endpoint>" without the Authorization header
    Then "<endpoint>" does not ask for credentials
    And the status is one the document lists for "<endpoint>"

    Examples:
      | endpoint                |
      | POST /sso/sms           |
      | PATCH /sso/email-optin  |
      | PATCH /sso/email-status |
