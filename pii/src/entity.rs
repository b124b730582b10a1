//! Entity types, named as Microsoft Presidio names them.

use std::fmt;
use std::str::FromStr;

/// The kind of personal or secret data a [`Span`](crate::Span) covers.
///
/// [`EntityType::as_str`] gives the Presidio name (`"EMAIL_ADDRESS"`), which is also what
/// [`FromStr`] parses and what redaction placeholders are made of (`<EMAIL_ADDRESS_1>`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum EntityType {
    /// An e-mail address.
    EmailAddress,
    /// A phone number, international (`+44 20 7946 0958`) or national (`(555) 123-4567`).
    PhoneNumber,
    /// A payment card number that passes the Luhn check.
    CreditCard,
    /// A US social security number.
    UsSsn,
    /// An IBAN that passes the mod-97 check and its country's length.
    IbanCode,
    /// An IPv4 or IPv6 address.
    IpAddress,
    /// A person's name.
    Person,
    /// An API key, access token or other bearer credential.
    ApiKey,
    /// A PEM private key block.
    PrivateKey,
    /// A password, e.g. the one in `scheme://user:password@host`.
    Password,
    /// A web address with a scheme (`https://...`) or a `www.` host.
    Url,
    /// A cryptocurrency address: Bitcoin base58check or bech32 (checksums verified), or
    /// Ethereum (`0x` and 40 hex digits).
    Crypto,
    /// A MAC address (`00:1A:2B:3C:4D:5E`, `00-1a-...`, `001a.2b3c.4d5e`).
    MacAddress,
    /// A US driver's licence number (needs a licence word nearby).
    UsDriverLicense,
    /// A US passport number (needs a passport word nearby).
    UsPassport,
    /// A US bank account number (needs an account word nearby).
    UsBankNumber,
    /// A UK NHS number that passes the mod-11 check.
    UkNhs,
    /// A date in date-of-birth style (needs a birth or date word nearby).
    DateTime,
    /// A street address, post box, or a place from the bundled gazetteer.
    Location,
}

const ALL: [EntityType; 19] = [
    EntityType::EmailAddress,
    EntityType::PhoneNumber,
    EntityType::CreditCard,
    EntityType::UsSsn,
    EntityType::IbanCode,
    EntityType::IpAddress,
    EntityType::Person,
    EntityType::ApiKey,
    EntityType::PrivateKey,
    EntityType::Password,
    EntityType::Url,
    EntityType::Crypto,
    EntityType::MacAddress,
    EntityType::UsDriverLicense,
    EntityType::UsPassport,
    EntityType::UsBankNumber,
    EntityType::UkNhs,
    EntityType::DateTime,
    EntityType::Location,
];

/// Number of entity types; the length of per-type arrays.
pub(crate) const N_TYPES: usize = ALL.len();

impl EntityType {
    /// The Presidio name of this type, e.g. `"EMAIL_ADDRESS"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            EntityType::EmailAddress => "EMAIL_ADDRESS",
            EntityType::PhoneNumber => "PHONE_NUMBER",
            EntityType::CreditCard => "CREDIT_CARD",
            EntityType::UsSsn => "US_SSN",
            EntityType::IbanCode => "IBAN_CODE",
            EntityType::IpAddress => "IP_ADDRESS",
            EntityType::Person => "PERSON",
            EntityType::ApiKey => "API_KEY",
            EntityType::PrivateKey => "PRIVATE_KEY",
            EntityType::Password => "PASSWORD",
            EntityType::Url => "URL",
            EntityType::Crypto => "CRYPTO",
            EntityType::MacAddress => "MAC_ADDRESS",
            EntityType::UsDriverLicense => "US_DRIVER_LICENSE",
            EntityType::UsPassport => "US_PASSPORT",
            EntityType::UsBankNumber => "US_BANK_NUMBER",
            EntityType::UkNhs => "UK_NHS",
            EntityType::DateTime => "DATE_TIME",
            EntityType::Location => "LOCATION",
        }
    }

    /// Every entity type this crate can detect.
    pub fn all() -> &'static [EntityType] {
        &ALL
    }

    /// Dense index of this type, `0..N_TYPES`.
    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for EntityType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error returned when parsing an unknown entity type name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseEntityTypeError(String);

impl fmt::Display for ParseEntityTypeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown entity type {:?}; expected one of ", self.0)?;
        for (i, t) in ALL.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(t.as_str())?;
        }
        Ok(())
    }
}

impl std::error::Error for ParseEntityTypeError {}

impl FromStr for EntityType {
    type Err = ParseEntityTypeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ALL.iter()
            .copied()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| ParseEntityTypeError(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for t in EntityType::all() {
            assert_eq!(t.as_str().parse::<EntityType>().unwrap(), *t);
            assert_eq!(t.index(), ALL.iter().position(|x| x == t).unwrap());
        }
        assert!("email_address".parse::<EntityType>().is_err());
    }
}
