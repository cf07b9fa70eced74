//! Choosing the interviewer's move after an answer (PRODUCT.md order, `max_times`, seeded phrasing).
