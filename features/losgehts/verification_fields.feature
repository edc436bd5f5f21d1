@losgehts @needs-authorization @LG-008
Feature: losgehts verification fields have their documented formats
  The losgehts Ident OAuth 2.0 guide (dev.losgehts.at), the Verification field table: DateOfBirth is an ISO 8601 calendar
  date (YYYY-MM-DD); Nationality, Country, PhoneCountryCode and Lang are ISO 3166-1 alpha-2 ("two
  uppercase letters"); PhoneNumberInternational is E.164 without "+"; PhoneCountryPrefix is the
  calling prefix 'Without "+" e.g. "43"'; Currency is ISO 4217; Gender is MALE, FEMALE or OTHER;
  the Verified/Confirmed flags are Booleans, sent as 0 or 1 in the document's example. Every
  scenario here authorizes with scope kyc (catalogue row LG-008).

  The whole record is also checked by the schema "losgehts/userinfo"; these scenarios name each
  format on its own so the report says which one broke. A null value (data not captured) passes
  where the example shows null; the document does not say which fields may be null.

  The document's status table heading says "The verificationStatus field", but the record's field
  is VerificationStatusId; the scenarios check VerificationStatusId.

  Background:
    Given the user has authorized the client with scope "kyc"
    And the client has exchanged the authorization code for an access token
    When the client requests the userinfo with the access token

  @documented @LG-056
  Scenario: VerificationStatusId is one of the documented status IDs
    Then the verification status is one of the documented statuses

  @documented
  Scenario Outline: <field> has its documented format
    Then the value at "/Verification/<field>" matches the schema "<schema>"

    @LG-064
    Examples:
      | field                    | schema                         |
      | DateOfBirth              | common/iso8601_date            |

    @LG-066
    Examples:
      | field                    | schema                         |
      | Nationality              | common/iso3166_alpha2          |

    @LG-067
    Examples:
      | field                    | schema                         |
      | Country                  | common/iso3166_alpha2          |

    @LG-069
    Examples:
      | field                    | schema                         |
      | PhoneNumberInternational | common/e164_digits             |

    @LG-071
    Examples:
      | field                    | schema                         |
      | PhoneCountryCode         | common/iso3166_alpha2          |

    @LG-072
    Examples:
      | field                    | schema                         |
      | PhoneCountryPrefix       | losgehts/phone_country_prefix  |

    @LG-073
    Examples:
      | field                    | schema                         |
      | Lang                     | common/iso3166_alpha2          |

    @LG-074
    Examples:
      | field                    | schema                         |
      | Currency                 | common/iso4217                 |

    @LG-075
    Examples:
      | field                    | schema                         |
      | EmailConfirmed           | common/flag01                  |

  @documented @LG-065
  Scenario: Gender is one of the documented values
    Then the value at "/Verification/Gender" matches the schema "losgehts/gender"
