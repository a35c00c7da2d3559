// Package layering holds no code: its tests check the import rules the
// packages' doc comments promise, so that a change breaking one fails here
// rather than in review.
//
//   - Only transfer/osssdk imports an OSS SDK. Everything else, the
//     transfer engine included, speaks transfer's interfaces and errors.
//     Test files may use the SDKs directly (to attack with them, or to see
//     a bucket as another client does).
//   - The desktop app (ui) does not depend on an OSS SDK at all, not even
//     through another package: it is handed a transfer.Connector.
//   - The logic packages (envelope, vault, transfer and the adapter) never
//     depend on Fyne, so the command line, the app and the tests drive the
//     same code.
package layering
