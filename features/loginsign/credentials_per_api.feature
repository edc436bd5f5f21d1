@loginsign
Feature: Each LoginSign API takes its own kind of credential and refuses the others
  The LoginSign API Reference (loginsign.com), "Which API uses which credentials?": end-user sign-in uses "Bearer
  access token for /api/user"; "Your backend talks to LoginSign as the app" (GET
  /api/applications/:appId/users, PATCH /api/applications/:appId/users/:globalId/status) uses
  "HTTP Basic client_id:client_secret"; "You in the Developer Portal (browser)" (/api/developer/…)
  uses the "Logged-in developer session cookie". "Do not call Portal session routes from your app
  backend, and do not expose your client secret to the browser." "Licenses & subscriptions" lists
  the developer portal's license routes, the server-to-server status route "(Basic Auth:
  client_id:client_secret)", and the end user's routes "(session cookie)". The table is copied as
  data in documents/loginsign.toml; a scenario whose premise contradicts it fails as a mistake.

  Every route is checked three ways: a request with no credentials is refused, a request with a
  credential of another kind is refused, and a request with the route's own credential is not.

  Interpretations:
  - The document names no status. A request without credentials gets 401 (RFC 9110 §15.5.2); a
    credential of another kind gets 401 or 403 (either is accepted: the provider may recognise
    the credential and still forbid the route). Every refusal is JSON {error, error_description}
    ("All errors return JSON"; schema loginsign/error).
  - "Accepted" means not refused for the credential: any answer but 401, 403 or a server error.
    Path parameters other than :appId name resources the provider does not have (a connection
    "conn-conformance-unknown", the Global User ID "ZZ9999", ...), and POST and PATCH send {}: a
    404 or 400 is an accepted credential, and no scenario here changes anything.
  - The end user's license routes live under /api/user, which the introduction says "typically"
    takes a Bearer token, while the Licenses section says "session cookie". The harness reads the
    explicit label: the user's own LoginSign session cookie. Whether a Bearer token or the
    developer's cookie (the developer is a LoginSign user too) also works there is left open: no
    scenario checks either. No documented route hands the user's session cookie to a client: the
    scenarios that present it take it from the target file (user_session_cookie_env, the session
    of the user the authorizations sign in; @needs-user-session), or from the embedded mock.
  - Scenarios that present the access token obtain it through the authorize endpoint
    (@needs-authorization); routes under /applications/:appId need the target's app_id
    (@needs-app-id); the developer session cookie comes from the target file
    (@needs-developer-session).

  @documented @rfc9110 @LS-002 @LS-003 @LS-007 @LS-036 @LS-015 @LS-022 @LS-038 @LS-040
  Scenario Outline: <route> refuses a request without credentials
    When the client calls "<route>" with no credentials
    Then the provider refuses the request for lack of credentials
    And the body matches the schema "loginsign/error"

    Examples:
      | route                                |
      | GET /api/user                        |
      | GET /api/user/licenses/subscriptions |
      | POST /api/user/licenses/redeem       |

    @needs-app-id
    Examples:
      | route                                                                  |
      | GET /api/applications/:appId/users                                     |
      | PATCH /api/applications/:appId/users/:globalId/status                  |
      | GET /api/developer/applications/:appId/users                           |
      | PATCH /api/developer/applications/:appId/users/:connectionId           |
      | PATCH /api/developer/applications/:appId/users/:connectionId/email     |
      | DELETE /api/developer/applications/:appId/users/:connectionId          |
      | GET /api/developer/applications/:appId/licenses/variants               |
      | POST /api/developer/applications/:appId/licenses/variants              |
      | PATCH /api/developer/applications/:appId/licenses/variants/:variantId  |
      | DELETE /api/developer/applications/:appId/licenses/variants/:variantId |
      | POST /api/developer/applications/:appId/licenses/codes/generate        |
      | POST /api/developer/applications/:appId/licenses/codes/upload          |
      | GET /api/developer/applications/:appId/licenses/codes                  |
      | DELETE /api/developer/applications/:appId/licenses/codes/:codeId       |

  @documented @rfc9110 @LS-002 @LS-003 @LS-036 @LS-015 @LS-022 @LS-038 @LS-040
  Scenario Outline: <route> refuses the client's Basic credentials
    When the client calls "<route>" with the client's Basic credentials
    Then the provider refuses the credential
    And the body matches the schema "loginsign/error"

    Examples:
      | route                                |
      | GET /api/user                        |
      | GET /api/user/licenses/subscriptions |
      | POST /api/user/licenses/redeem       |

    @needs-app-id
    Examples:
      | route                                                                  |
      | GET /api/developer/applications/:appId/users                           |
      | PATCH /api/developer/applications/:appId/users/:connectionId           |
      | PATCH /api/developer/applications/:appId/users/:connectionId/email     |
      | DELETE /api/developer/applications/:appId/users/:connectionId          |
      | GET /api/developer/applications/:appId/licenses/variants               |
      | POST /api/developer/applications/:appId/licenses/variants              |
      | PATCH /api/developer/applications/:appId/licenses/variants/:variantId  |
      | DELETE /api/developer/applications/:appId/licenses/variants/:variantId |
      | POST /api/developer/applications/:appId/licenses/codes/generate        |
      | POST /api/developer/applications/:appId/licenses/codes/upload          |
      | GET /api/developer/applications/:appId/licenses/codes                  |
      | DELETE /api/developer/applications/:appId/licenses/codes/:codeId       |

  @documented @rfc9110 @needs-developer-session @LS-002 @LS-007 @LS-038 @LS-040
  Scenario Outline: <route> refuses the developer session cookie
    When the client calls "<route>" with the developer session cookie
    Then the provider refuses the credential
    And the body matches the schema "loginsign/error"

    Examples:
      | route         |
      | GET /api/user |

    @needs-app-id
    Examples:
      | route                                                 |
      | GET /api/applications/:appId/users                    |
      | PATCH /api/applications/:appId/users/:globalId/status |

  @documented @rfc9110 @needs-authorization @needs-app-id @LS-007 @LS-003 @LS-015 @LS-022 @LS-006 @LS-029 @LS-038 @LS-040
  Scenario Outline: <route> refuses the access token
    Given the user has authorized the client
    And the client has exchanged the authorization code for an access token
    When the client calls "<route>" with the access token
    Then the provider refuses the credential
    And the body matches the schema "loginsign/error"

    Examples:
      | route                                                                  |
      | GET /api/applications/:appId/users                                     |
      | PATCH /api/applications/:appId/users/:globalId/status                  |
      | GET /api/developer/applications/:appId/users                           |
      | PATCH /api/developer/applications/:appId/users/:connectionId           |
      | PATCH /api/developer/applications/:appId/users/:connectionId/email     |
      | DELETE /api/developer/applications/:appId/users/:connectionId          |
      | GET /api/developer/applications/:appId/licenses/variants               |
      | POST /api/developer/applications/:appId/licenses/variants              |
      | PATCH /api/developer/applications/:appId/licenses/variants/:variantId  |
      | DELETE /api/developer/applications/:appId/licenses/variants/:variantId |
      | POST /api/developer/applications/:appId/licenses/codes/generate        |
      | POST /api/developer/applications/:appId/licenses/codes/upload          |
      | GET /api/developer/applications/:appId/licenses/codes                  |
      | DELETE /api/developer/applications/:appId/licenses/codes/:codeId       |

  @documented @needs-authorization @LS-002 @LS-006 @LS-029
  Scenario: GET /api/user accepts the access token
    Given the user has authorized the client
    And the client has exchanged the authorization code for an access token
    When the client calls "GET /api/user" with the access token
    Then the provider accepts the credential

  @documented @needs-app-id @LS-007
  Scenario Outline: <route> accepts the client's Basic credentials
    When the client calls "<route>" with the client's Basic credentials
    Then the provider accepts the credential

    Examples:
      | route                                                 |
      | GET /api/applications/:appId/users                    |
      | PATCH /api/applications/:appId/users/:globalId/status |

  @documented @needs-app-id @needs-developer-session @LS-003 @LS-015 @LS-022
  Scenario Outline: <route> accepts the developer session cookie
    When the client calls "<route>" with the developer session cookie
    Then the provider accepts the credential

    Examples:
      | route                                                                  |
      | GET /api/developer/applications/:appId/users                           |
      | PATCH /api/developer/applications/:appId/users/:connectionId           |
      | PATCH /api/developer/applications/:appId/users/:connectionId/email     |
      | DELETE /api/developer/applications/:appId/users/:connectionId          |
      | GET /api/developer/applications/:appId/licenses/variants               |
      | POST /api/developer/applications/:appId/licenses/variants              |
      | PATCH /api/developer/applications/:appId/licenses/variants/:variantId  |
      | DELETE /api/developer/applications/:appId/licenses/variants/:variantId |
      | POST /api/developer/applications/:appId/licenses/codes/generate        |
      | POST /api/developer/applications/:appId/licenses/codes/upload          |
      | GET /api/developer/applications/:appId/licenses/codes                  |
      | DELETE /api/developer/applications/:appId/licenses/codes/:codeId       |

  @documented @interpretation @needs-user-session @LS-036
  Scenario Outline: <route> accepts the user's session cookie
    Given the user has a LoginSign session
    When the client calls "<route>" with the user's session cookie
    Then the provider accepts the credential

    Examples:
      | route                                |
      | GET /api/user/licenses/subscriptions |
      | POST /api/user/licenses/redeem       |
