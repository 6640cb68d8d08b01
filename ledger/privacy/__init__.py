"""Households' privacy: the ward key file, sealed personal details, ID-number pseudonyms."""
