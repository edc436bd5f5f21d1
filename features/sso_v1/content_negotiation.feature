@sso_v1
Feature: SSO v1 serves only the documented media types
  The SSO (v1) documentation, request header tables of every endpoint: "Accept |
  application/vnd.sso.v1+json application/json application/*+json" and "Content-Type |
  application/vnd.sso.v1+json application/json"; every endpoint lists "406: Not Acceptable" and
  "415: Unsupported Media Type"; the response header table lists "Content-Type |
  application/vnd.sso.v1+json application/json application/*+json".

  Interpretations: an Accept header that names none of the three documented values gets 406
  (text/html stands for "any other"; a missing Accept and */* are not checked). A Content-Type
  other than the two documented values gets 415 (text/plain stands for "any other"); GET /sso/user
  documents no Content-Type and is not checked for 415. application/*+json in the response list
  is a wildcard: any application/...+json type is a documented response type. The answer's
  Content-Type must also be one the request's Accept allows (RFC 9110 §12.5.1): an answer in
  application/vnd.sso.v1+json to "Accept: application/json" is refused. The served cases use
  POST /sso/user/status, which changes nothing at the provider.

  @documented @SSO-002
  Scenario Outline: <endpoint> refuses Accept text/html with 406
    When the client sends "<endpoint>" with Accept "text/html"
    Then "<endpoint>" refuses the media type its document does not list
    And the status is one the document lists for "<endpoint>"

    Examples:
      | endpoint               |
      | POST /sso/sms          |
      | POST /sso/code         |
      | POST /sso/auth         |
      | POST /sso/user         |
      | GET /sso/user          |
      | POST /sso/user/status  |
      | PATCH /sso/email-optin |
      | PATCH /sso/email-status |

    @resource-test-user-email
    Examples:
      | endpoint         |
      | PATCH /sso/email |

  @documented @SSO-004
  Scenario Outline: <endpoint> refuses Content-Type text/plain with 415
    When the client sends "<endpoint>" with Content-Type "text/plain"
    Then "<endpoint>" refuses the media type its document does not list
    And the status is one the document lists for "<endpoint>"

    Examples:
      | endpoint                |
      | POST /sso/sms           |
      | POST /sso/code          |
      | POST /sso/auth          |
      | POST /sso/user          |
      | POST /sso/user/status   |
      | PATCH /sso/email-optin  |
      | PATCH /sso/email-status |

    @resource-test-user-email
    Examples:
      | endpoint         |
      | PATCH /sso/email |

  @documented @rfc9110 @SSO-001 @SSO-009 @SSO-010
  Scenario Outline: Accept <accept> is served
    When the client sends "POST /sso/user/status" with Accept "<accept>"
    Then the response status is 201
    And the response Content-Type is one the document lists for "POST /sso/user/status"
    And the response Content-Type is one the request's Accept allows

    Examples:
      | accept                      |
      | application/vnd.sso.v1+json |
      | application/json            |
      | application/*+json          |

  @documented @SSO-003 @SSO-009
  Scenario Outline: Content-Type <content_type> is accepted
    When the client sends "POST /sso/user/status" with Content-Type "<content_type>"
    Then the response status is 201
    And the response Content-Type is one the document lists for "POST /sso/user/status"

    Examples:
      | content_type                |
      | application/vnd.sso.v1+json |
      | application/json            |
