package eventbus

// RelayWaiting reports whether r's Run loop is waiting for a wake-up, that
// is, has finished its last pass.
func RelayWaiting(r *Relay) bool { return r.waiting.Load() }
