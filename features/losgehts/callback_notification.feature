@losgehts
Feature: losgehts notifies the client's callback server-to-server with a GET
  The losgehts Ident OAuth 2.0 guide (dev.losgehts.at), "Callback": "our system may also invoke this callback endpoint
  server-to-server, without redirecting the user, in order to notify the client's system of
  authorization events. This request will be sent as an HTTP GET request, and your endpoint must
  respond with HTTP 200 OK to confirm successful receipt."

  The document says the provider *may* notify, and not what triggers a notification nor what it
  carries. Interpretations:
  - A notification about an authorization is told apart from other scenarios' by the state the
    client supplied, in its query; a call without it cannot be attributed and is not judged.
  - The embedded mock is told to send one. Against a real deployment, the harness listens at the
    target file's webhook_listen address, where the registered callback URL must lead, and waits
    up to 10 seconds after the authorization: a notification that comes must be an HTTP GET to
    the callback URL's path; none coming breaks nothing (the document says "may").
  - The harness's receiver answers 200, as the document requires of the client.

  @documented @needs-authorization @needs-webhook-receiver @LG-022
  Scenario: A server-to-server notification is an HTTP GET to the callback
    Given the user has authorized the client with scope "signup"
    When the provider notifies the client's callback server-to-server
    Then any server-to-server call for this authorization is an HTTP GET to the callback URL
