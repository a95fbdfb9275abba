//! How the API document describes the shop's input values: each type here is the exact rule
//! the server applies (see the `kernel` crate), as a JSON Schema, so that a client or a
//! fuzzer reading `/api/openapi.json` knows precisely what is accepted. Input fields name one
//! of these with `#[schema(value_type = …)]`.

use std::borrow::Cow;

use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::{KnownFormat, RefOr, SchemaFormat};
use utoipa::{PartialSchema, ToSchema};

/// No control characters: C0, DEL and C1.
const NO_CONTROLS: &str = r"^[^\x00-\x1f\x7f-\x9f]*$";
/// No control characters, and at least one character that is not white space.
const NOT_BLANK: &str = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$";
/// No control characters but line breaks and tabs.
const PARAGRAPH: &str = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$";

fn string(pattern: &str, description: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(pattern))
        .description(Some(description))
}

macro_rules! described {
    ($name:ident, $doc:literal, $schema:expr) => {
        #[doc = $doc]
        pub struct $name;

        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                $schema.into()
            }
        }

        impl ToSchema for $name {}
    };
}

described!(
    Sku,
    "A SKU as a client may send it.",
    string(
        r"^ *[A-Za-z0-9][A-Za-z0-9._-]{1,63} *$",
        "A SKU: 2 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit; \
         case does not matter (it is stored in upper case) and spaces around it are dropped."
    )
);

described!(
    SerialNumber,
    "A unit's serial number as a client may send it.",
    string(
        r"^ *[A-Za-z0-9][A-Za-z0-9._/:-]{2,63} *$",
        "A serial number as the manufacturer printed it: 3 to 64 letters, digits, '.', '_', \
         '/', ':' or '-', starting with a letter or digit; case does not matter (it is stored \
         in upper case) and spaces around it are dropped."
    )
);

described!(
    LocationCode,
    "A location code as a client may send it.",
    string(
        r"^ *[A-Za-z0-9][A-Za-z0-9_-]{0,31} *$",
        "A location code: 1 to 32 letters, digits, '-' or '_', starting with a letter or digit; \
         case does not matter (it is stored in lower case) and spaces around it are dropped."
    )
);

described!(
    Gtin,
    "A product barcode.",
    string(
        r"^ *([0-9]{12}|[0-9]{13})? *$",
        "An EAN-13 (13 digits) or UPC-A (12 digits) barcode whose last digit is its GS1 check \
         digit; blank (spaces only) means none."
    )
    .format(Some(SchemaFormat::Custom("gtin".into())))
);

described!(
    Currency,
    "A currency.",
    string(
        r"^ *[A-Za-z]{3} *$",
        "An ISO 4217 currency code such as EUR, USD, GBP or JPY; case does not matter and \
         spaces around it are dropped."
    )
);

described!(
    TaxCode,
    "A tax rate's code.",
    string(
        r"^ *[A-Za-z0-9][A-Za-z0-9_-]{0,15} *$",
        "1 to 16 letters, digits, '-' or '_', starting with a letter or digit, such as \
         `standard` or `reduced`; case does not matter (it is stored in lower case) and spaces \
         around it are dropped."
    )
);

described!(
    TaxCodeOrBlank,
    "A tax rate's code, or none.",
    string(
        r"^ *([A-Za-z0-9][A-Za-z0-9_-]{0,15})? *$",
        "The code of one of the shop's tax rates (1 to 16 letters, digits, '-' or '_', starting \
         with a letter or digit; case does not matter); blank (spaces only) means none: the \
         shop's default."
    )
);

described!(
    RateBp,
    "A tax rate in basis points.",
    ObjectBuilder::new()
        .schema_type(Type::Number)
        .minimum(Some(0))
        .maximum(Some(10_000))
        .description(Some(
            "Basis points (2000 = 20 %), with at most two decimals (887.5 = 8.875 %), from 0 to \
             10000 (100 %)."
        ))
);

described!(
    IdempotencyKey,
    "An idempotency key.",
    string(
        r"^[!-~]{1,150}$",
        "1 to 150 visible ASCII characters (no spaces). Retries with the same key and body get \
         the first answer; keys belong to the user (or service) that sent them."
    )
);

described!(
    IfMatch,
    "An `If-Match` precondition.",
    string(
        r#"^ *(\*|(W/"[^",]*"|"v[0-9]{1,18}")( *, *(W/"[^",]*"|"v[0-9]{1,18}"))*) *$"#,
        "`*` (the resource must exist), or one or more entity tags this API gave in `ETag`, \
         such as `\"v3\"`: the change is made only if the resource is still at one of them \
         (weak tags never match)."
    )
);

described!(
    NumberCursor,
    "Where a newest-first listing continues.",
    string(
        r"^[0-9]{1,18}$",
        "The `next_cursor` of the previous page: the listing continues before this number."
    )
);

described!(
    TillCode,
    "The code of a till (a cash register).",
    string(
        r"^ *[A-Za-z0-9][A-Za-z0-9_-]{0,31} *$",
        "1 to 32 letters, digits, '_' or '-', starting with a letter or digit; case does not \
         matter (it is stored in lower case) and spaces around it are dropped."
    )
);

described!(
    ShiftId,
    "The id of a till's shift.",
    string(
        r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
        "A UUID in lower case, as the API gave it."
    )
);

described!(
    SupplierId,
    "The id of one of the shop's suppliers.",
    string(
        r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
        "A UUID in lower case, as the API gave it."
    )
);

described!(
    CustomerId,
    "The id of one of the shop's customers.",
    string(
        r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
        "A UUID in lower case, as the API gave it."
    )
);

described!(
    Phone,
    "A phone number as a person types it.",
    string(
        r"^ *([-+0-9(). ]*[0-9][-+0-9(). ]*)? *$",
        "At most 40 characters: digits, spaces and `+ - ( ) .`, with at least one digit; blank \
         (spaces only) means none."
    )
    .max_length(Some(40))
);

described!(
    Email,
    "An email address.",
    string(
        r"^ *([^@\s\x00-\x1f\x7f-\x9f]+@[^@\s\x00-\x1f\x7f-\x9f]+\.[^@\s\x00-\x1f\x7f-\x9f]+)? *$",
        "At most 254 characters: something, `@`, and a domain with a dot, without spaces; blank \
         (spaces only) means none."
    )
    .max_length(Some(254))
);

described!(
    Username,
    "A username as a client may send it.",
    string(
        r"^ *[A-Za-z0-9][A-Za-z0-9._-]{2,63} *$",
        "3 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit; case does \
         not matter (it is stored in lower case) and spaces around it are dropped."
    )
);

described!(
    Password,
    "A new password.",
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(12))
        .max_length(Some(128))
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Password)))
        .description(Some(
            "12 to 128 characters, not containing the username, with more than a few different \
             characters and no well-known password in it."
        ))
);

/// A single line of text (a name, a reference): at most `MAX` characters as sent, no control
/// characters; blank means none.
pub struct Line<const MAX: usize>;

impl<const MAX: usize> PartialSchema for Line<MAX> {
    fn schema() -> RefOr<Schema> {
        string(
            NO_CONTROLS,
            "One line of text without control characters; blanks around it are dropped and blank \
             text means none.",
        )
        .max_length(Some(MAX))
        .into()
    }
}

impl<const MAX: usize> ToSchema for Line<MAX> {
    fn name() -> Cow<'static, str> {
        Cow::Owned(format!("Line{MAX}"))
    }
}

/// A single line of text that must not be blank.
pub struct RequiredLine<const MAX: usize>;

impl<const MAX: usize> PartialSchema for RequiredLine<MAX> {
    fn schema() -> RefOr<Schema> {
        string(
            NOT_BLANK,
            "One line of text without control characters and not blank; blanks around it are \
             dropped.",
        )
        .min_length(Some(1))
        .max_length(Some(MAX))
        .into()
    }
}

impl<const MAX: usize> ToSchema for RequiredLine<MAX> {
    fn name() -> Cow<'static, str> {
        Cow::Owned(format!("RequiredLine{MAX}"))
    }
}

/// Free text that may break lines (a description, a note).
pub struct Paragraph<const MAX: usize>;

impl<const MAX: usize> PartialSchema for Paragraph<MAX> {
    fn schema() -> RefOr<Schema> {
        string(
            PARAGRAPH,
            "Text without control characters other than line breaks and tabs; blanks around it \
             are dropped and blank text means none.",
        )
        .max_length(Some(MAX))
        .into()
    }
}

impl<const MAX: usize> ToSchema for Paragraph<MAX> {
    fn name() -> Cow<'static, str> {
        Cow::Owned(format!("Paragraph{MAX}"))
    }
}
