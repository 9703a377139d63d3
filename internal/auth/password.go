package auth

// maxPasswordBytes bounds the UTF-8 size of a password (128 characters of
// at most 4 bytes).
const maxPasswordBytes = 4 * MaxPasswordLen

// PasswordHasher turns a password into the form the store keeps and checks
// a password against it (package password's bcrypt Hasher). Matches must
// take the same time whether or not the password matches, and never match
// an empty or malformed hash: Login compares unknown e-mails against a
// dummy hash so that they cost the same as known ones.
type PasswordHasher interface {
	Hash(pw string) (string, error)
	Matches(hash, pw string) bool
}
