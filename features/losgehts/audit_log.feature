@losgehts @needs-authorization @LG-008
Feature: losgehts audit log entries
  The losgehts Ident OAuth 2.0 guide (dev.losgehts.at), "AuditLog": a JSON array of entries, each with AuditLogId (integer),
  CreatedAt ("UTC timestamp of the event (ISO 8601)"), AuditMessage (text) and AuditData (text or
  null: null when no data is stored, plain text, or a string containing JSON, which "clients must
  parse as JSON"). Every scenario here authorizes with scope kyc, so it also needs that scope
  accepted (catalogue row LG-008).

  Interpretation: a string whose first character is "{" or "[" is taken to contain JSON and must
  parse; any other string is plain text. A record with an empty AuditLog passes these checks.

  Background:
    Given the user has authorized the client with scope "kyc"
    And the client has exchanged the authorization code for an access token
    When the client requests the userinfo with the access token

  @documented @LG-082
  Scenario: AuditData that contains JSON parses as JSON
    Then every "AuditLog" entry whose "AuditData" looks like JSON parses as JSON

  @documented @LG-081
  Scenario: CreatedAt is a UTC timestamp
    Then every "AuditLog" entry's "CreatedAt" is a UTC timestamp
