@losgehts @needs-authorization
Feature: losgehts verification fields have their documented formats
  The losgehts Ident OAuth 2.0 guide (dev.losgehts.at), the Verification field table: DateOfBirth is an ISO 8601 calendar
  date (YYYY-MM-DD); Nationality, Country and PhoneCountryCode are ISO 3166-1 alpha-2;
  PhoneNumberInternational is E.164 without "+"; Currency is ISO 4217; Gender is MALE, FEMALE or
  OTHER; the Verified/Confirmed flags are Booleans, sent as 0 or 1 in the document's example.

  The whole record is also checked by the schema "losgehts/userinfo"; these scenarios name each
  format on its own so the report says which one broke. A null value (data not captured) passes
  where the example shows null; the document does not say which fields may be null.

  The document's status table heading says "The verificationStatus field", but the record's field
  is VerificationStatusId; the scenarios check VerificationStatusId.

  Background:
    Given the user has authorized the client with scope "kyc"
    And the client has exchanged the authorization code for an access token
    When the client requests the userinfo with the access token

  @documented
  Scenario: VerificationStatusId is one of the documented status IDs
    Then the verification status is one of the documented statuses

  @documented
  Scenario Outline: <field> has its documented format
    Then the value at "/Verification/<field>" matches the schema "<schema>"

    Examples:
      | field                    | schema                     |
      | DateOfBirth              | common/iso8601_date        |
      | Country                  | common/iso3166_alpha2      |
      | PhoneNumberInternational | common/e164_digits         |
      | Currency                 | common/iso4217             |
      | EmailConfirmed           | common/flag01              |

  @documented
  Scenario: Gender is one of the documented values
    Then the value at "/Verification/Gender" matches the schema "losgehts/gender"
