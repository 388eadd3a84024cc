//! DH parameters (Node's `dhparam`): PKCS#3 `DHParameter`, as `openssl dhparam` writes it in
//! `DH PARAMETERS` PEM blocks.
//!
//! ```text
//! DHParameter ::= SEQUENCE {
//!   prime INTEGER, -- p
//!   base INTEGER, -- g
//!   privateValueLength INTEGER OPTIONAL }
//! ```
//!
//! We only read the numbers here; whether they are usable (size, odd prime, generator range)
//! is the engine's [`DhGroup::new`] check, which [`DhParams::to_group`] applies.

use core::fmt;

use der::asn1::UintRef;
use der::Decode;
use sanstls::crypto::ffdhe::DhGroup;

use crate::pem::{self, PemError};

/// PKCS#3 DH parameters: big-endian unsigned `p` and `g` without leading zeros.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DhParams {
    /// The prime modulus.
    pub p: Vec<u8>,
    /// The generator.
    pub g: Vec<u8>,
    /// `privateValueLength` in bits, when the file gives it.
    pub private_value_length: Option<u32>,
}

/// Why DH parameters could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DhError {
    /// The PEM text is malformed.
    Pem(PemError),
    /// No `DH PARAMETERS` block in the file.
    NoParameters,
    /// X9.42 parameters (`X9.42 DH PARAMETERS`, from `openssl genpkey -genparam -algorithm
    /// DHX`): Node's `dhparam` takes PKCS#3 only.
    X942,
    /// The DER is not a PKCS#3 `DHParameter`.
    Malformed {
        /// What was wrong.
        reason: String,
    },
    /// The numbers are not usable parameters (the engine's reason: too small, even prime,
    /// generator out of range, ...).
    Unusable {
        /// The engine's reason.
        reason: String,
    },
}

impl fmt::Display for DhError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Pem(e) => write!(f, "{e}"),
            Self::NoParameters => write!(f, "no DH PARAMETERS block"),
            Self::X942 => write!(
                f,
                "X9.42 DH parameters are not supported (PKCS#3 DH PARAMETERS are)"
            ),
            Self::Malformed { reason } => write!(f, "malformed DH parameters: {reason}"),
            Self::Unusable { reason } => write!(f, "unusable DH parameters: {reason}"),
        }
    }
}

impl std::error::Error for DhError {}

impl From<PemError> for DhError {
    fn from(e: PemError) -> Self {
        Self::Pem(e)
    }
}

#[derive(der::Sequence)]
struct DhParameter<'a> {
    prime: UintRef<'a>,
    base: UintRef<'a>,
    private_value_length: Option<u32>,
}

impl DhParams {
    /// A DER `DHParameter`; trailing data is an error.
    pub fn from_der(der: &[u8]) -> Result<Self, DhError> {
        let params = DhParameter::from_der(der).map_err(|e| DhError::Malformed {
            reason: e.to_string(),
        })?;
        Ok(Self {
            p: params.prime.as_bytes().to_vec(),
            g: params.base.as_bytes().to_vec(),
            private_value_length: params.private_value_length,
        })
    }

    /// The first `DH PARAMETERS` block of a PEM file.
    pub fn from_pem(text: &[u8]) -> Result<Self, DhError> {
        let blocks = pem::parse(text)?;
        match blocks.iter().find(|b| b.label == "DH PARAMETERS") {
            Some(block) => Self::from_der(&block.der),
            None if blocks.iter().any(|b| b.label == "X9.42 DH PARAMETERS") => Err(DhError::X942),
            None => Err(DhError::NoParameters),
        }
    }

    /// The size of `p` in bits.
    pub fn bits(&self) -> usize {
        let Some(first) = self.p.first() else {
            return 0;
        };
        self.p.len() * 8 - first.leading_zeros() as usize
    }

    /// The engine's group for these parameters, checked for use (at least 1024 bits, odd
    /// prime, `1 < g < p-1`).
    pub fn to_group(&self) -> Result<DhGroup, DhError> {
        DhGroup::new(&self.p, &self.g).map_err(|e| DhError::Unusable {
            reason: e.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_handmade_parameters() {
        // SEQUENCE { INTEGER 0x00FF (positive, so a leading zero), INTEGER 2, INTEGER 160 }
        let der = [
            0x30, 0x0b, 0x02, 0x02, 0x00, 0xff, 0x02, 0x01, 0x02, 0x02, 0x02, 0x00, 0xa0,
        ];
        let params = DhParams::from_der(&der).unwrap();
        assert_eq!(params.p, [0xff]);
        assert_eq!(params.g, [2]);
        assert_eq!(params.private_value_length, Some(160));
        assert_eq!(params.bits(), 8);
        // 8 bits is far below the engine's minimum.
        assert!(matches!(params.to_group(), Err(DhError::Unusable { .. })));
    }

    #[test]
    fn malformed_and_missing() {
        assert!(matches!(
            DhParams::from_der(&[0x30, 0x03, 0x02, 0x01, 0x05]),
            Err(DhError::Malformed { .. })
        ));
        // A negative prime.
        assert!(matches!(
            DhParams::from_der(&[0x30, 0x06, 0x02, 0x01, 0x85, 0x02, 0x01, 0x02]),
            Err(DhError::Malformed { .. })
        ));
        assert_eq!(DhParams::from_pem(b"nothing"), Err(DhError::NoParameters));
        let x942 = pem::encode("X9.42 DH PARAMETERS", &[0x30, 0x00]);
        assert_eq!(DhParams::from_pem(x942.as_bytes()), Err(DhError::X942));
    }
}
