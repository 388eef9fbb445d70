package io.keyward.credential;

/** Something the user should know about a credential that works (shown as a status condition). */
public record Notice(String reason, String message) {}
