@loginsign @needs-app-id @needs-developer-session @LS-003
Feature: LoginSign's developer portal lists the users connected to the app
  The LoginSign API Reference (loginsign.com), "GET /api/developer/applications/:appId/users: List users (for
  developers)": "Returns all users who have connected to your application. Requires developer
  session (cookie from Developer Portal)", answering {"users": [{"id": "connection_id",
  "globalId": "AB1234", "name", "email", "active", "blocked", "emailMuted", "sessions",
  "lastSession": "2023-07-19T14:30:00Z", "joined", "region": "Germany"}], "total": 312}.
  "globalId — User identifier (2 letters + 4 digits)." "email — The address the user shared with
  your app for this connection, or a dash if not shared."

  Interpretations:
  - Every member of the example is required (schema loginsign/developer_users); sessions and
    total are non-negative integers; lastSession and joined are RFC 3339 date-times, like the
    example's; region is free text.
  - The example lists one user beside "total": 312, so the list may be a page of all users (the
    document names no paging): total counts at least the users listed (@interpretation).
  - The user who just signed in through the app is one of "all users who have connected"; the
    scenario finds them by the connection id GET /api/user answers (@needs-authorization).

  @documented @LS-016 @LS-019 @LS-015 @LS-018
  Scenario: The user list matches the documented answer
    When the developer lists the app's users
    Then the response status is 200
    And the body matches the schema "loginsign/developer_users"

  @documented @LS-018
  Scenario: Every listed Global User ID is two letters and four digits
    When the developer lists the app's users
    Then every "globalId" in the body matches the schema "loginsign/global_user_id"

  @interpretation @LS-017
  Scenario: total counts at least the users listed
    When the developer lists the app's users
    Then "total" counts at least the users listed

  @documented @needs-authorization @LS-014 @LS-012 @LS-018 @LS-006 @LS-029 @LS-002
  Scenario: A user who connected through the app is listed
    Given the user has authorized the client
    And the client has exchanged the authorization code for an access token
    And the client knows the user's connection from its profile
    When the developer lists the app's users
    Then the list includes the user's connection with the user's Global User ID
