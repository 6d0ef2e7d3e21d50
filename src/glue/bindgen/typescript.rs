//! The TypeScript types of the records that cross the boundary. wasm-bindgen writes them into
//! the generated `.d.ts`, where the exports' `unchecked_param_type`s and
//! `unchecked_return_type`s refer to them; a test keeps them in step with the WIT world.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** The plugin's settings, as the marketplace configuration popup fills them. */
export interface PluginConfig {
  accountSid: string;
  authToken: string;
  /** Supplied by the host (the manifest's hostSecrets), never by the popup: keys code hashes. */
  codeHashingKey?: string;
  apiKeySid?: string;
  apiKeySecret?: string;
  senderPhoneNumber?: string;
  messagingServiceSid?: string;
  appName?: string;
  messageTemplate?: string;
  /** Texts by language, as JSON text: `{"de": "Ihr Code lautet {code}"}` (a JS object is taken too). */
  messageTemplates?: string;
  /** The site that fills the code in by itself: the SMS ends with `@example.com #123456`. */
  webOtpDomain?: string;
  /** The Android app's 11-character hash for the SMS Retriever; the SMS must fit one segment. */
  androidAppHash?: string;
  /** Who makes, sends and checks codes: the plugin (`messages`) or Twilio Verify (`verify`). */
  codeBackend?: "messages" | "verify";
  /** `VA...`: the Verify service; required with `codeBackend: "verify"`. */
  verifyServiceSid?: string;
  /** Comma-separated, preferred first, from `sms`, `whatsapp`, `call` (default `sms`). */
  channels?: string;
  /** A channel Twilio refused for the number hands over to the next (default false). */
  channelFallback?: boolean;
  /** The WhatsApp sender's number for the Messages API (default `senderPhoneNumber`). */
  whatsappSender?: string;
  /** `HX...`: the Meta-approved WhatsApp authentication template; variable 1 is the code. */
  whatsappContentSid?: string;
  codeLength?: number;
  codeTtlSeconds?: number;
  maxAttempts?: number;
  phoneNumberField?: string;
  identityField?: string;
  phoneConfirmedField?: string;
  phoneRequired?: boolean;
  twilioApiBaseUrl?: string;
  twilioTimeoutMs?: number;
  phoneLogin?: boolean;
  twoFactor?: "off" | "optional" | "required";
  twoFactorField?: string;
  statusCallbackUrl?: string;
  messagingAccess?: "signed-in" | "anyone";
  /** Abuse protection: the send policy every code and message passes. */
  resendCooldownSeconds?: number;
  maxSmsPerNumberPerHour?: number;
  maxSmsPerNumberPerDay?: number;
  maxCodesPerAddressPerHour?: number;
  maxCodesPerRangePerHour?: number;
  maxCodesPerHour?: number;
  maxCodesPerDay?: number;
  maxMessagesPerUserPerHour?: number;
  maxMessagesPerUserPerDay?: number;
  maxSegmentsPerUserPerHour?: number;
  maxSegmentsPerUserPerDay?: number;
  maxSegmentsPerMessage?: number;
  /** Calling codes and two-letter country codes, e.g. "+44, US, CA"; empty: every country. */
  allowedCountries?: string;
  blockedCountries?: string;
  breakerMinCodes?: number;
  breakerMinVerifiedPercent?: number;
  breakerPauseMinutes?: number;
  /** One per line: a number and its fixed code of 6 to 10 digits, e.g. "+15555550100 123456". */
  testPhoneNumbers?: string;
}

export interface ConfigProblem { field: string; reason: string; }
export interface ConfigValidation { ok: boolean; problems: ConfigProblem[]; }

export interface HttpRequest {
  method: string; url: string; headers: Record<string, string>; body: string | null; timeoutMs: number;
}
export interface HttpResponse { status: number; headers: Record<string, string>; body: string; }
export type LogLevel = "debug" | "info" | "warn" | "error";

/**
 * Why a host call failed, as the `kind` of the Error it rejects with (the WIT host-error-kind):
 * `connect` (the connection never opened) and `refused` (the host's allowlist stopped it) mean
 * nothing was sent; `timeout` and `reset` mean the request may have been received; `storage`
 * and `bad-reply` are the host's own failures. An http failure of no kind counts as `reset`.
 */
export type HostErrorKind = "connect" | "reset" | "timeout" | "refused" | "storage" | "bad-reply";
/** @deprecated the same as HostErrorKind. */
export type HttpFailureKind = HostErrorKind;
/** How a host call fails: throwing, or rejecting with, an Error with a `kind`. */
export interface HostErrorShape extends Error { kind: HostErrorKind; }

/** What the host gives the plugin. Storage keys are the plugin's own; the host namespaces them. */
export interface PluginHost {
  /** Rejects on a network error or timeout, with an Error whose `kind` is a HostErrorKind; any HTTP status resolves. */
  http(request: HttpRequest): Promise<HttpResponse>;
  storageGet(key: string): Promise<string | null>;
  storagePut(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Atomic read-and-delete. */
  storageTake(key: string): Promise<string | null>;
  /** Atomic increment; the TTL is set when the key is created. Resolves to the new count. */
  storageIncr(key: string, ttlSeconds: number): Promise<number>;
  findUser(field: string, value: string): Promise<Record<string, unknown> | null>;
  /** Milliseconds since the Unix epoch. */
  now(): number;
  log(level: LogLevel, message: string, fields: Record<string, unknown>): void;
}

export interface HookContext {
  event?: string; requestId?: string;
  /** The client's address: from the connection, or from a proxy header only when the proxy is trusted. The per-address limit counts it. */
  clientIp?: string;
  userAgent?: string; appName?: string;
  /** The signed-in caller of a service, if any. */
  userId?: string;
  /** The user's languages: a tag (`pt-BR`) or the request's `Accept-Language`; chooses the code SMS's text. */
  locale?: string;
}

export type HookOutcome =
  | { action: "continue"; args?: Record<string, unknown> }
  | { action: "respond"; status: number; body: Record<string, unknown> }
  | { action: "authenticate"; userId: string };

export type HostResult =
  | { user: Record<string, unknown> }
  | { error: { code: string | number; message: string } };

export interface SendSmsRequest { to: string; body: string; statusCallback?: string; }
export interface SendMmsRequest { to: string; body?: string; mediaUrls: string[]; statusCallback?: string; }
export interface SentMessage {
  sid: string; status: string; to: string; from: string | null; numSegments: number | null; numMedia: number | null;
}
export interface StartVerificationRequest {
  phoneNumber: string; purpose?: string;
  /** `sms`, `whatsapp` or `call`, within the configuration's `channels` (default: its first). */
  channel?: string;
}
/** Every answer that texts a code also carries these. */
export interface CodeDelivery {
  transactionId: string; expiresInSeconds: number;
  /** When another code to the same number may be asked for. */
  resendAfterSeconds: number;
  /** `sms`, `whatsapp` or `call`: the channel the code went over (with `channelFallback`, maybe
   * not the one asked for). */
  channel: string;
  /** Twilio did not confirm the SMS in time: the code may still arrive, and works when it does. */
  deliveryUncertain?: boolean; message?: string;
}
export interface StartedVerification extends CodeDelivery { phoneNumber: string; codeLength: number; }
export interface CheckVerificationRequest {
  transactionId: string; transactionCode: string; phoneNumber: string; purpose?: string;
}
/** `verified` is always true: a wrong code rejects instead. */
export interface CheckedVerification { verified: boolean; phoneNumber: string; purpose: string; }
export interface MessageStatusRequest { sid: string; }
export interface MessageStatus {
  sid: string; status: string; errorCode: number | null; to: string; updatedAt: number;
}
/** A webhook request as received: the full public URL, the headers and the raw body. */
export interface CallbackRequest { url: string; headers: Record<string, string>; body: string; }
export interface CallbackReceipt { received: boolean; sid: string; status: string | null; }
/** What a check of TEST CONFIGURATION looked at. */
export type CheckName = "fields" | "credentials" | "sender" | "sending";
/** How a check of TEST CONFIGURATION came out. */
export type CheckStatus = "passed" | "warning" | "failed" | "skipped";
export interface ConfigurationCheck { name: CheckName; status: CheckStatus; message: string; }
export interface ConfigurationReport { ok: boolean; checks: ConfigurationCheck[]; }
/** The stable machine codes of the plugin's errors. */
export type PluginErrorCode =
  | "CONFIG_INVALID" | "INVALID_INPUT" | "INVALID_PHONE_NUMBER" | "PHONE_NUMBER_REQUIRED"
  | "PHONE_NUMBER_IN_USE" | "TWO_FACTOR_REQUIRED" | "SMS_BUDGET_EXCEEDED" | "COUNTRY_NOT_ALLOWED"
  | "PHONE_LOGIN_DISABLED" | "TWO_FACTOR_UNAVAILABLE" | "NOT_AUTHENTICATED" | "MESSAGE_NOT_FOUND"
  | "SIGNATURE_INVALID" | "VERIFICATION_REQUIRED" | "CODE_MISMATCH" | "VERIFICATION_EXPIRED"
  | "TOO_MANY_ATTEMPTS" | "REGISTRATION_IN_PROGRESS" | "RATE_LIMITED" | "TWILIO_REJECTED"
  | "TWILIO_UNAVAILABLE"
  | "STORAGE_UNAVAILABLE" | "HOST_FAILURE";

/** Every error the plugin throws or rejects with. */
export interface PluginErrorShape extends Error {
  code: PluginErrorCode; status: number; details: Record<string, unknown>;
}
"#;
