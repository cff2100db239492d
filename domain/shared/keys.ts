/**
 * Every Deno KV key eBOK uses is built here, so the keyspace can be read in one place.
 * Style: snake_case plural first part; indexes are `x_by_y` and hold the primary id;
 * non-unique indexes end with the primary id.
 */
export const keys = {
  settings: (name: string) => ["settings", name] as const,
  /** /health's write probe (expires after a minute). */
  healthProbe: () => ["health_probe"] as const,
  chargeComponents: () => ["settings", "charge_components"] as const,
  demoCooperative: () => ["settings", "demo_cooperative"] as const,

  buildings: (buildingId: string) => ["buildings", buildingId] as const,
  buildingsAll: () => ["buildings"] as const,
  /** Unique: the accounting system's code of the building (e.g. "KW12"); holds the building id. */
  buildingsByExternalId: (externalId: string) => ["buildings_by_external_id", externalId] as const,
  units: (unitId: string) => ["units", unitId] as const,
  unitsAll: () => ["units"] as const,
  unitsByBuilding: (buildingId: string, unitId: string) =>
    ["units_by_building", buildingId, unitId] as const,
  unitsByBuildingAll: (buildingId: string) => ["units_by_building", buildingId] as const,
  unitsByAddress: (addressKey: string, unitId: string) =>
    ["units_by_address", addressKey, unitId] as const,
  unitsByAddressAll: (addressKey: string) => ["units_by_address", addressKey] as const,
  /** Unique: the accounting system's code of the unit (e.g. "KW12/7"); holds the unit id. */
  unitsByExternalId: (externalId: string) => ["units_by_external_id", externalId] as const,

  ledger: (unitId: string, postedOn: string, entryId: string) =>
    ["ledger", unitId, postedOn, entryId] as const,
  ledgerOfUnit: (unitId: string) => ["ledger", unitId] as const,
  ledgerByDocument: (unitId: string, documentNo: string) =>
    ["ledger_by_document", unitId, documentNo] as const,
  ledgerTotals: (unitId: string) => ["ledger_totals", unitId] as const,
  /** The rates of one component from `period` ("YYYY-MM") on. */
  feeRate: (unitId: string, period: string, component: string) =>
    ["fee_rates", unitId, period, component] as const,
  /** Prefix: every component's rate from `period` on. */
  feeRates: (unitId: string, period: string) => ["fee_rates", unitId, period] as const,
  feeRatesOfUnit: (unitId: string) => ["fee_rates", unitId] as const,

  meters: (unitId: string, meterId: string) => ["meters", unitId, meterId] as const,
  /** Prefix of every meter of every unit (the import finds meters by serial number in it). */
  metersAll: () => ["meters"] as const,
  metersOfUnit: (unitId: string) => ["meters", unitId] as const,
  /** meterId → unitId; also re-set by every reading written, to serialize writers per meter. */
  metersById: (meterId: string) => ["meters_by_id", meterId] as const,
  readings: (meterId: string, readOn: string, readingId: string) =>
    ["readings", meterId, readOn, readingId] as const,
  readingsOfMeter: (meterId: string) => ["readings", meterId] as const,
  /** The cooperative's reading window (days of the month when residents submit readings). */
  readingWindow: () => ["settings", "reading_window"] as const,
  waterSettlements: (settlementId: string) => ["water_settlements", settlementId] as const,
  /** Unique: one settlement per unit and end date; holds the settlement id. */
  waterSettlementsByUnit: (unitId: string, to: string) =>
    ["water_settlements_by_unit", unitId, to] as const,
  waterSettlementsByUnitAll: (unitId: string) => ["water_settlements_by_unit", unitId] as const,
  readingSubmissions: (submissionId: string) => ["reading_submissions", submissionId] as const,
  readingSubmissionsByStatus: (status: string, submissionId: string) =>
    ["reading_submissions_by_status", status, submissionId] as const,
  readingSubmissionsByStatusAll: (status: string) =>
    ["reading_submissions_by_status", status] as const,
  readingSubmissionsByUnit: (unitId: string, submissionId: string) =>
    ["reading_submissions_by_unit", unitId, submissionId] as const,
  readingSubmissionsByUnitAll: (unitId: string) => ["reading_submissions_by_unit", unitId] as const,
  /** Unique: the unit's latest submission of a day ("YYYY-MM-DD", in Poland); holds its id. */
  readingSubmissionsByUnitDay: (unitId: string, date: string) =>
    ["reading_submissions_by_unit_day", unitId, date] as const,

  requests: (requestId: string) => ["requests", requestId] as const,
  requestsAll: () => ["requests"] as const,
  requestsByStatus: (status: string, requestId: string) =>
    ["requests_by_status", status, requestId] as const,
  requestsByStatusAll: (status: string) => ["requests_by_status", status] as const,
  requestsPendingByEmail: (email: string) => ["requests_pending_by_email", email] as const,

  accounts: (accountId: string) => ["accounts", accountId] as const,
  accountsAll: () => ["accounts"] as const,
  accountsByIdentifier: (identifier: string) => ["accounts_by_identifier", identifier] as const,
  accountsByEmail: (email: string, accountId: string) =>
    ["accounts_by_email", email, accountId] as const,
  accountsByEmailAll: (email: string) => ["accounts_by_email", email] as const,
  accountsByUnitAll: (unitId: string) => ["accounts_by_unit", unitId] as const,
  accountsByUnit: (unitId: string, accountId: string) =>
    ["accounts_by_unit", unitId, accountId] as const,

  sessions: (tokenHash: string) => ["sessions", tokenHash] as const,
  sessionsByAccount: (accountId: string, tokenHash: string) =>
    ["sessions_by_account", accountId, tokenHash] as const,
  sessionsByAccountAll: (accountId: string) => ["sessions_by_account", accountId] as const,
  staffSessions: (tokenHash: string) => ["staff_sessions", tokenHash] as const,
  staffSessionsByStaff: (staffId: string, tokenHash: string) =>
    ["staff_sessions_by_staff", staffId, tokenHash] as const,
  staffSessionsByStaffAll: (staffId: string) => ["staff_sessions_by_staff", staffId] as const,

  rateLimits: (bucket: string, subject: string) => ["rate_limits", bucket, subject] as const,
  /** Keyed by the identifier as typed (normalised), so unknown identifiers lock alike. */
  lockouts: (identifier: string) => ["lockouts", identifier] as const,
  /** The last accepted TOTP time step (a number) of a staff member: only later ones pass. */
  staffTotpLastUsed: (staffId: string) => ["staff_totp_last_used", staffId] as const,
  /** A short-lived "current password already checked" ticket of one session's change form. */
  passwordChangeTickets: (sessionId: string) => ["password_change_tickets", sessionId] as const,

  auditLog: (entryId: string) => ["audit_log", entryId] as const,
  auditLogAll: () => ["audit_log"] as const,

  staff: (staffId: string) => ["staff", staffId] as const,
  staffAll: () => ["staff"] as const,
  staffByLogin: (login: string) => ["staff_by_login", login] as const,

  messages: (messageId: string) => ["messages", messageId] as const,
  messagesAll: () => ["messages"] as const,
  messagesByState: (state: string, messageId: string) =>
    ["messages_by_state", state, messageId] as const,
  messagesByStateAll: (state: string) => ["messages_by_state", state] as const,
  messagesByRef: (ref: string, messageId: string) => ["messages_by_ref", ref, messageId] as const,
  messagesByRefAll: (ref: string) => ["messages_by_ref", ref] as const,

  /** Announcements (komunikaty) to residents, by ULID: lists come back in time order. */
  announcements: (announcementId: string) => ["announcements", announcementId] as const,
  announcementsAll: () => ["announcements"] as const,
  /**
   * Marker that an announcement's e-mail to an account was queued (holds the message id). Set
   * with a `versionstamp: null` check in the same atomic op as the message, so no account is
   * e-mailed twice for one announcement.
   */
  announcementEmails: (announcementId: string, accountId: string) =>
    ["announcement_emails", announcementId, accountId] as const,

  /** A CSV import: its preview, then its application (see domain/backoffice/imports.ts). */
  importJobs: (jobId: string) => ["import_jobs", jobId] as const,
  importJobsAll: () => ["import_jobs"] as const,
  importJobsByStatus: (status: string, jobId: string) =>
    ["import_jobs_by_status", status, jobId] as const,
  importJobsByStatusAll: (status: string) => ["import_jobs_by_status", status] as const,
  /** The rows a job will apply, `chunkNo` from 0, as UTF-8 JSON bytes (each value ≤ 64 KiB). */
  importJobRows: (jobId: string, chunkNo: number) => ["import_job_rows", jobId, chunkNo] as const,
  importJobRowsAll: (jobId: string) => ["import_job_rows", jobId] as const,
  /** The lines a job refused, with reasons, in the same chunked form; kept with the job. */
  importJobRefused: (jobId: string, chunkNo: number) =>
    ["import_job_refused", jobId, chunkNo] as const,
  importJobRefusedAll: (jobId: string) => ["import_job_refused", jobId] as const,
  importHistory: (recordId: string) => ["import_history", recordId] as const,
  importHistoryAll: () => ["import_history"] as const,
  importHistoryByHash: (sha256: string, recordId: string) =>
    ["import_history_by_hash", sha256, recordId] as const,
  importHistoryByHashAll: (sha256: string) => ["import_history_by_hash", sha256] as const,

  /** API tokens of integrations (domain/backoffice/api_tokens.ts); the secret itself is never stored. */
  apiTokens: (tokenId: string) => ["api_tokens", tokenId] as const,
  apiTokensAll: () => ["api_tokens"] as const,
  /** Unique: SHA-256 (hex) of the token's secret; holds the token id. */
  apiTokensByHash: (sha256: string) => ["api_tokens_by_hash", sha256] as const,
  /** Unique among tokens not revoked: the integration's name, folded; holds the token id. */
  apiTokensByName: (foldedName: string) => ["api_tokens_by_name", foldedName] as const,
  /** A request's `Idempotency-Key` per token, kept 24 h: what the first request did. */
  apiIdempotency: (tokenId: string, key: string) => ["api_idempotency", tokenId, key] as const,

  devOutbox: (entryId: string) => ["dev_outbox", entryId] as const,
  devOutboxAll: () => ["dev_outbox"] as const,

  // --- Online payments (domain/payments/) -------------------------------------------------
  /** The cooperative's payment settings (minimum, limit above the amount due, days, expiry). */
  paymentSettings: () => ["settings", "payments"] as const,
  /** An online payment, by ULID; its id is the gateway's session id. */
  payments: (paymentId: string) => ["payments", paymentId] as const,
  paymentsAll: () => ["payments"] as const,
  paymentsByUnit: (unitId: string, paymentId: string) =>
    ["payments_by_unit", unitId, paymentId] as const,
  paymentsByUnitAll: (unitId: string) => ["payments_by_unit", unitId] as const,
  paymentsByState: (state: string, paymentId: string) =>
    ["payments_by_state", state, paymentId] as const,
  paymentsByStateAll: (state: string) => ["payments_by_state", state] as const,
  /** Unique: the gateway's transaction id (Przelewy24 orderId); holds the payment id. */
  paymentsByOrderId: (gateway: string, orderId: number) =>
    ["payments_by_order_id", gateway, orderId] as const,
  /** Confirmed payments by confirmation time (ISO), for the accounting system's "since". */
  paymentsByConfirmedAt: (confirmedAt: string, paymentId: string) =>
    ["payments_by_confirmed_at", confirmedAt, paymentId] as const,
  paymentsByConfirmedAtAll: () => ["payments_by_confirmed_at"] as const,
  /**
   * A signed notification waiting for (or retrying) the gateway's verify call, by session id:
   * what survives a crash between the notification and the verify call.
   */
  paymentVerifications: (sessionId: string) => ["payment_verifications", sessionId] as const,
  paymentVerificationsAll: () => ["payment_verifications"] as const,
  /** A confirmed payment not yet booked by the accounting import ("w drodze"). */
  paymentsInTransit: (unitId: string, paymentId: string) =>
    ["payments_in_transit", unitId, paymentId] as const,
  paymentsInTransitOfUnit: (unitId: string) => ["payments_in_transit", unitId] as const,
  paymentsInTransitAll: () => ["payments_in_transit"] as const,
  /** A payment the gateway confirmed for a session we do not know: kept for staff. */
  paymentOrphans: (gateway: string, orderId: number) =>
    ["payment_orphans", gateway, orderId] as const,
  paymentOrphansAll: () => ["payment_orphans"] as const,
  // --- Files (domain/files/file_store.ts) ------------------------------------------------------
  /** The final record of a stored file: it exists only once every chunk is written. */
  files: (fileId: string) => ["files", fileId] as const,
  /** Non-unique: the files of one owner (e.g. "matter", matterId); holds the file id. */
  filesByOwner: (ownerKind: string, ownerId: string, fileId: string) =>
    ["files_by_owner", ownerKind, ownerId, fileId] as const,
  filesByOwnerAll: (ownerKind: string, ownerId: string) =>
    ["files_by_owner", ownerKind, ownerId] as const,
  /** A file's bytes, `chunkNo` from 0, each a Uint8Array of at most 60 000 bytes. */
  fileChunks: (fileId: string, chunkNo: number) => ["file_chunks", fileId, chunkNo] as const,
  fileChunksAll: (fileId: string) => ["file_chunks", fileId] as const,
  /** An upload under way or a removal not yet finished; the sweep clears what was left behind. */
  filePending: (fileId: string) => ["file_pending", fileId] as const,
  filePendingAll: () => ["file_pending"] as const,
  // --- Documents and letters (domain/documents/documents.ts) -----------------------------------
  /** A document of the cooperative or a letter to one unit (ULID: newest last in key order). */
  documents: (documentId: string) => ["documents", documentId] as const,
  documentsAll: () => ["documents"] as const,
  /** Documents for every resident or for chosen buildings (not withdrawn); holds the id. */
  documentsShared: (documentId: string) => ["documents_shared", documentId] as const,
  documentsSharedAll: () => ["documents_shared"] as const,
  /** Letters to one unit (not withdrawn); holds the id. */
  documentsByUnit: (unitId: string, documentId: string) =>
    ["documents_by_unit", unitId, documentId] as const,
  documentsByUnitAll: (unitId: string) => ["documents_by_unit", unitId] as const,
  /** The first opening of a letter by a resident (proof of delivery), written once. */
  documentFirstOpen: (documentId: string) => ["document_first_open", documentId] as const,
  /** Consent to electronic delivery of letters: the current decision (domain/documents/consent.ts). */
  ecorrespondenceConsent: (accountId: string) => ["ecorrespondence_consent", accountId] as const,
  /** Every decision about electronic delivery, with its date and text. */
  ecorrespondenceConsentHistory: (accountId: string, id: string) =>
    ["ecorrespondence_consent_history", accountId, id] as const,
  // --- Matters: sprawy i zgłoszenia (domain/matters/matters.ts) ------------------------------
  /** A matter (Matter). */
  matters: (matterId: string) => ["matters", matterId] as const,
  mattersAll: () => ["matters"] as const,
  /** The last number given in a year (a plain number): the next matter takes one more. */
  matterCounter: (year: string) => ["matter_counter", year] as const,
  /** Non-unique: the matters concerning a unit; holds the matter id. */
  mattersByUnit: (unitId: string, matterId: string) =>
    ["matters_by_unit", unitId, matterId] as const,
  mattersByUnitAll: (unitId: string) => ["matters_by_unit", unitId] as const,
  /** Non-unique: the matters an account opened; holds the matter id. */
  mattersByAccount: (accountId: string, matterId: string) =>
    ["matters_by_account", accountId, matterId] as const,
  mattersByAccountAll: (accountId: string) => ["matters_by_account", accountId] as const,
  /** The thread residents see (replies and status changes), in order. */
  matterEntries: (matterId: string, entryId: string) =>
    ["matter_entries", matterId, entryId] as const,
  matterEntriesAll: (matterId: string) => ["matter_entries", matterId] as const,
  /** Staff's internal notes: a key space of their own, never read for residents. */
  matterNotes: (matterId: string, noteId: string) => ["matter_notes", matterId, noteId] as const,
  matterNotesAll: (matterId: string) => ["matter_notes", matterId] as const,
  // --- Bulk letters (domain/documents/bulk.ts) -------------------------------------------------
  /** A checked bulk upload waiting for staff to publish it (BulkPreview; expires in an hour). */
  documentBulkPreviews: (previewId: string) => ["document_bulk_previews", previewId] as const,
  /** Its letters, staged files included (BulkItem), in CSV order. */
  documentBulkItems: (previewId: string, n: number) =>
    ["document_bulk_items", previewId, n] as const,
  documentBulkItemsAll: (previewId: string) => ["document_bulk_items", previewId] as const,
  /** A letter published from a batch: the document id; makes publishing the batch idempotent. */
  documentBatchLetters: (batchId: string, unitId: string, sha256: string) =>
    ["document_batch_letters", batchId, unitId, sha256] as const,
  /** A published batch (DocumentBatch). */
  documentBatches: (batchId: string) => ["document_batches", batchId] as const,
  // --- Fee-change notices and paper letters (domain/documents/fee_notices.ts, paper.ts) --------
  /** A fee-change notice run (FeeNoticeRun, ULID id): its letters share the run id as batchId. */
  feeNoticeRuns: (runId: string) => ["fee_notice_runs", runId] as const,
  feeNoticeRunsAll: () => ["fee_notice_runs"] as const,
  /** The letter a run sent to a unit (the document id), written with it: one letter per unit. */
  feeNoticeLetters: (runId: string, unitId: string) =>
    ["fee_notice_letters", runId, unitId] as const,
  feeNoticeLettersAll: (runId: string) => ["fee_notice_letters", runId] as const,
  /** After how many days an unopened letter goes by post (PaperSettings). */
  paperSettings: () => ["settings", "paper_letters"] as const,
  // --- Own contact changes and notification preferences (domain/accounts/contact_change.ts) ---
  /** A pending e-mail change by the SHA-256 of its link's token (EmailChange), single use. */
  emailChanges: (tokenHash: string) => ["email_changes", tokenHash] as const,
  /** The account's newest pending e-mail change: holds the token hash (a new request replaces it). */
  emailChangeOfAccount: (accountId: string) => ["email_change_of_account", accountId] as const,
  /** A pending phone change with its SMS code's hash and the wrong attempts (PhoneChange). */
  phoneChanges: (accountId: string) => ["phone_changes", accountId] as const,
  /** A payment reminder queued for a unit and a month ("YYYY-MM"): at most once. */
  paymentReminders: (period: string, unitId: string) =>
    ["payment_reminders", period, unitId] as const,
  /** Payments the ledger import booked for a unit, waiting for their notice e-mail. */
  paymentBookedPending: (unitId: string) => ["payment_booked_pending", unitId] as const,
  paymentBookedPendingAll: () => ["payment_booked_pending"] as const,
  // --- Resident pages read in few operations (issue 17) --------------------------------------
  /**
   * Re-set in every op that adds or removes a unit's payment "w drodze" (domain/payments/
   * in_transit.ts): its versionstamp tells whether a remembered list is still exact.
   */
  paymentsInTransitStamp: (unitId: string) => ["payments_in_transit_stamp", unitId] as const,
  /** A unit's water in the shape the water page needs (domain/water/water_summary.ts). */
  waterSummary: (unitId: string) => ["water_summary", unitId] as const,
  /**
   * Re-set in every op that adds or changes a unit's water settlement or reading submission:
   * its versionstamp tells whether the lists the water page remembers are still exact.
   */
  waterStamp: (unitId: string) => ["water_stamp", unitId] as const,
  /**
   * Re-set in every op that writes the cooperative's profile, the data-as-of date or an
   * announcement (cooperative.ts, data_freshness.ts, imports.ts, announcements.ts): its
   * versionstamp tells whether the settings a process remembers (site_settings.ts) still hold.
   */
  siteSettingsStamp: () => ["site_settings_stamp"] as const,
  /**
   * Re-set in every op that writes a water summary of a unit in the building, or a unit of it
   * (register.ts, matters.ts: persons, kind, building): its versionstamp tells whether the
   * building's average water use a process remembers (domain/water/water_page.ts) still holds.
   */
  buildingWaterStamp: (buildingId: string) => ["building_water_stamp", buildingId] as const,
} as const;
