//! A mutation: one line of a watched account's statement, as a callback or a search reports it.

use crate::amount::Amount;
use crate::error::ErrorCode;
use crate::json::{Skip, is_null, read_safe_int, read_safe_uint, read_string, Ctx, Seg};
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::Serialize;
use serde_json::value::RawValue;
use std::fmt;

/// One mutation. `type` is `credit` (money in) or `debit` (money out) for banks and e-wallets; PayPal rows
/// use their own types. Service-specific members are present only when the service sent them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct Mutation {
    /// The mutation's id at CekMutasi: unique per mutation, the idempotency key.
    pub id: u64,
    /// Time of the mutation, Unix seconds.
    pub unix_timestamp: i64,
    #[serde(rename = "type")]
    pub kind: String,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "string"))]
    pub amount: Amount,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional, type = "string"))]
    pub balance: Option<Amount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub service_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub account_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub partner_phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub transactionid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional, type = "string"))]
    pub fee: Option<Amount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional, type = "string"))]
    pub net: Option<Amount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub currency: Option<String>,
}

impl Mutation {
    /// True for money in on a bank or e-wallet account: the only kind that can pay an invoice.
    pub fn is_credit(&self) -> bool {
        self.kind == "credit"
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    Id,
    UnixTimestamp,
    Type,
    Amount,
    Description,
    Balance,
    ServiceCode,
    AccountNumber,
    PartnerPhone,
    Username,
    Email,
    Name,
    TransactionId,
    Status,
    Fee,
    Net,
    Currency,
    Other,
}

impl Field {
    fn of(key: &str) -> Field {
        match key {
            "id" => Field::Id,
            "unix_timestamp" => Field::UnixTimestamp,
            "type" => Field::Type,
            "amount" => Field::Amount,
            "description" => Field::Description,
            "balance" => Field::Balance,
            "service_code" => Field::ServiceCode,
            "account_number" => Field::AccountNumber,
            "partner_phone" => Field::PartnerPhone,
            "username" => Field::Username,
            "email" => Field::Email,
            "name" => Field::Name,
            "transactionid" => Field::TransactionId,
            "status" => Field::Status,
            "fee" => Field::Fee,
            "net" => Field::Net,
            "currency" => Field::Currency,
            _ => Field::Other,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::UnixTimestamp => "unix_timestamp",
            Field::Type => "type",
            Field::Amount => "amount",
            Field::Description => "description",
            Field::Balance => "balance",
            Field::ServiceCode => "service_code",
            Field::AccountNumber => "account_number",
            Field::PartnerPhone => "partner_phone",
            Field::Username => "username",
            Field::Email => "email",
            Field::Name => "name",
            Field::TransactionId => "transactionid",
            Field::Status => "status",
            Field::Fee => "fee",
            Field::Net => "net",
            Field::Currency => "currency",
            Field::Other => "",
        }
    }
}

/// Reads a member name without allocating when it has no escapes.
pub(crate) struct KeySeed<F>(pub(crate) fn(&str) -> F);

impl<'de, F> DeserializeSeed<'de> for KeySeed<F> {
    type Value = F;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<F, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de, F> Visitor<'de> for KeySeed<F> {
    type Value = F;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a member name")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<F, E> {
        Ok((self.0)(v))
    }
}

/// Reads one mutation object at the current path of `ctx`.
pub(crate) struct MutationSeed<'c> {
    pub(crate) ctx: &'c mut Ctx,
}

impl<'de> DeserializeSeed<'de> for MutationSeed<'_> {
    type Value = Mutation;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Mutation, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for MutationSeed<'_> {
    type Value = Mutation;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mutation object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Mutation, A::Error> {
        let ctx = self.ctx;
        let mut seen: u32 = 0;
        let mut id = None;
        let mut unix_timestamp = None;
        let mut kind = None;
        let mut amount_raw: Option<&'de RawValue> = None;
        let mut description = None;
        let mut balance = None;
        let mut service_code: Option<String> = None;
        let mut account_number: Option<String> = None;
        let mut partner_phone: Option<String> = None;
        let mut username: Option<String> = None;
        let mut email: Option<String> = None;
        let mut name: Option<String> = None;
        let mut transactionid: Option<String> = None;
        let mut status: Option<String> = None;
        let mut currency: Option<String> = None;
        let mut fee = None;
        let mut net = None;

        while let Some(field) = map.next_key_seed(KeySeed(Field::of))? {
            if field == Field::Other {
                map.next_value_seed(Skip)?;
                continue;
            }
            let bit = 1u32 << field as u32;
            if seen & bit != 0 {
                // Two values for one member: which one the sender meant is a guess, and money depends on it.
                return Err(ctx.fail(ErrorCode::InvalidPayload, Some(field.name()), "duplicate member"));
            }
            seen |= bit;
            let raw: &'de RawValue = map.next_value()?;
            let member = field.name();
            let bad = |ctx: &mut Ctx, msg: &str| -> A::Error { ctx.fail(ErrorCode::InvalidPayload, Some(member), msg) };
            match field {
                Field::Id => id = Some(read_safe_uint(raw).map_err(|m| bad(ctx, m))?),
                Field::UnixTimestamp => unix_timestamp = Some(read_safe_int(raw).map_err(|m| bad(ctx, m))?),
                Field::Type => kind = Some(read_string(raw).map_err(|m| bad(ctx, m))?),
                // Whether a sign is allowed depends on `type`, which may come later: read it at the end.
                Field::Amount => amount_raw = Some(raw),
                Field::Description => description = Some(read_string(raw).map_err(|m| bad(ctx, m))?),
                Field::Balance | Field::Fee | Field::Net => {
                    if !is_null(raw) {
                        let v = Amount::from_json_literal(raw.get(), true).map_err(|e| bad(ctx, e.message()))?;
                        match field {
                            Field::Balance => balance = Some(v),
                            Field::Fee => fee = Some(v),
                            _ => net = Some(v),
                        }
                    }
                }
                _ => {
                    let slot = match field {
                        Field::ServiceCode => &mut service_code,
                        Field::AccountNumber => &mut account_number,
                        Field::PartnerPhone => &mut partner_phone,
                        Field::Username => &mut username,
                        Field::Email => &mut email,
                        Field::Name => &mut name,
                        Field::TransactionId => &mut transactionid,
                        Field::Status => &mut status,
                        _ => &mut currency,
                    };
                    if !is_null(raw) {
                        *slot = Some(read_string(raw).map_err(|m| bad(ctx, m))?);
                    }
                }
            }
        }

        let missing = |ctx: &mut Ctx, f: Field| -> A::Error {
            ctx.fail(ErrorCode::InvalidPayload, Some(f.name()), "missing required member")
        };
        let id = id.ok_or_else(|| missing(ctx, Field::Id))?;
        let unix_timestamp = unix_timestamp.ok_or_else(|| missing(ctx, Field::UnixTimestamp))?;
        let kind = kind.ok_or_else(|| missing(ctx, Field::Type))?;
        let amount_raw = amount_raw.ok_or_else(|| missing(ctx, Field::Amount))?;
        let description = description.ok_or_else(|| missing(ctx, Field::Description))?;
        // Bank and e-wallet amounts are unsigned (`type` says the direction); other services' rows may be signed.
        let signed = !(kind == "credit" || kind == "debit");
        let amount = Amount::from_json_literal(amount_raw.get(), signed)
            .map_err(|e| ctx.fail::<A::Error>(ErrorCode::InvalidPayload, Some("amount"), e.message()))?;
        Ok(Mutation {
            id,
            unix_timestamp,
            kind,
            amount,
            description,
            balance,
            service_code,
            account_number,
            partner_phone,
            username,
            email,
            name,
            transactionid,
            status,
            fee,
            net,
            currency,
        })
    }
}

/// Reads an array of mutations at the current path of `ctx`, pushing `[i]` for each row.
pub(crate) struct MutationsSeed<'c> {
    pub(crate) ctx: &'c mut Ctx,
}

impl<'de> DeserializeSeed<'de> for MutationsSeed<'_> {
    type Value = Vec<Mutation>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Vec<Mutation>, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for MutationsSeed<'_> {
    type Value = Vec<Mutation>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of mutations")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Mutation>, A::Error> {
        let ctx = self.ctx;
        let mut rows = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        loop {
            ctx.push(Seg::Index(rows.len()));
            match seq.next_element_seed(MutationSeed { ctx: &mut *ctx })? {
                Some(row) => rows.push(row),
                None => break,
            }
            ctx.pop();
        }
        ctx.pop();
        Ok(rows)
    }
}
