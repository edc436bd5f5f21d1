@loginsign @LS-037 @LS-036 @LS-003 @LS-012 @LS-006 @LS-029 @LS-002
Feature: Redeeming a LoginSign license code ties it to the user's connection
  The LoginSign API Reference (loginsign.com), "Licenses & subscriptions": "Full request/response examples, status
  sync, and operator guidance live in the dedicated Licenses guide." It lists the end user's
  routes (GET /api/user/licenses/subscriptions, POST /api/user/licenses/redeem; "session
  cookie"), the developer portal's (variants: GET, POST, PATCH, DELETE; codes: generate, upload,
  GET, DELETE), and the server-to-server status route (Basic). "Redemption ties an active code to
  the user's connection for that app; see linkedConnectionId in the Licenses documentation."

  What the document states is encoded: the routes and their credentials
  (credentials_per_api.feature), and the link from a redeemed code to the user's connection
  (below). Everything else is assumed, because the Licenses guide is not part of the document;
  the assumptions are tagged @assumed and listed here:
  - POST .../licenses/variants takes {"name"} and answers the new variant's {"id"};
  - POST .../licenses/codes/generate takes {"variantId", "count"} and answers {"codes": [{"id",
    "code"}]}, the codes active;
  - POST /api/user/licenses/redeem takes {"code"}; each answer is 200 or 201;
  - GET .../licenses/codes answers {"codes": [...]} whose entries carry "id" and
    "linkedConnectionId", the id of the connection the code is tied to.
  No schema requires any of these members.

  No documented route hands the end user's session cookie to a client: it comes from the target
  file (user_session_cookie_env: the session of the user the authorizations sign in; the tag is
  needs-user-session), or from the embedded mock. The user's connection is the one GET /api/user
  names.

  @documented @assumed @needs-user-session @needs-authorization @needs-app-id @needs-developer-session
  Scenario: A redeemed code is linked to the user's connection
    Given the user has authorized the client
    And the client has exchanged the authorization code for an access token
    And the client knows the user's connection from its profile
    And the developer has created a license variant
    And the developer has generated a license code for the variant
    And the user has a LoginSign session
    When the user redeems the license code
    Then the response status is 200 or 201
    And the developer's code list links the code to the user's connection
