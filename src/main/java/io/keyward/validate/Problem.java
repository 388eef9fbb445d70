package io.keyward.validate;

/** One error or warning about a document: the field ({@code <nil>} where none), a reason, and the message. */
record Problem(String field, String reason, String message) {}
