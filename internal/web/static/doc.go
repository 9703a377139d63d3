// Package static holds the web pages' assets — one stylesheet and one small
// script, embedded in the binary — and serves them at content-hashed paths
// (/static/site.<hash>.css) that may be cached forever: a changed file gets
// a new path. Each asset is gzipped once, when the set is loaded.
//
// Templates ask Assets.Path for an asset's current path. What does not
// belong here: templates, page handlers, anything that is rendered per
// request.
package static
