// Package static holds the web pages' assets — one stylesheet, the pages'
// small script and the embed script a business pastes into its own site,
// embedded in the binary — and serves them at content-hashed paths
// (/static/site.<hash>.css) that may be cached forever: a changed file gets
// a new path. Each asset is gzipped once, when the set is loaded. The
// embed script is also served at a stable path (Stable), since its URL is
// copied into other sites.
//
// Templates ask Assets.Path for an asset's current path. What does not
// belong here: templates, page handlers, anything that is rendered per
// request.
package static
