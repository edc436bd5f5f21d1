@loginsign @needs-app-id @LS-007 @LS-008
Feature: LoginSign's app API answers the app's backend on its Basic credentials
  The LoginSign API Reference (loginsign.com), "Which API uses which credentials?": "Your backend talks to
  LoginSign as the app: GET /api/applications/:appId/users, PATCH
  /api/applications/:appId/users/:globalId/status — HTTP Basic client_id:client_secret".
  "User Identity": the Global User ID is "2 letters + 4 digits ... Use it to reference users in
  your app instead of internal IDs."

  The document shows neither route's body. The harness checks what it states: the route answers
  the app's Basic credentials (credentials_per_api.feature checks the refusals), the answer is
  JSON, and every globalId in it is a Global User ID. The status route's body belongs to the
  Licenses guide ("status sync"), which the document does not include: no scenario sends one.

  @documented
  Scenario: The app lists its users with its Basic credentials
    When the client calls "GET /api/applications/:appId/users" with the client's Basic credentials
    Then the response status is 200
    And every "globalId" in the body matches the schema "loginsign/global_user_id"
