@losgehts
Feature: losgehts notifies the client's callback server-to-server with a GET
  The losgehts Ident OAuth 2.0 guide (dev.losgehts.at), "Callback": "our system may also invoke this callback endpoint
  server-to-server, without redirecting the user, in order to notify the client's system of
  authorization events. This request will be sent as an HTTP GET request, and your endpoint must
  respond with HTTP 200 OK to confirm successful receipt."

  The document says the provider *may* notify, and not what triggers a notification nor what it
  carries, so the harness cannot wait for one from a real deployment: the embedded mock is told to
  send one, and the scenario checks what the document fixes, the HTTP method. The harness's
  receiver answers 200 as the document requires of the client.

  @documented @mock-only @needs-authorization @LG-022
  Scenario: A server-to-server notification is an HTTP GET to the callback
    Given the user has authorized the client with scope "signup"
    When the provider notifies the client's callback server-to-server
    Then the callback received an HTTP GET
