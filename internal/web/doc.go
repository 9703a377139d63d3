// Package web is SlotWise's adapter for people: server-rendered HTML pages,
// beside the JSON API on the same HTTP server, that call the services' use
// cases in-process — never the API over HTTP, never a second copy of a
// rule. It holds the public booking pages (/b/{subdomain}…), a client's
// manage page (/m/{token}…), the same pages inside a business's frame on
// its own site (/b/{subdomain}/embed, then /embed/…; see pages_embed.go),
// the landing page (/), signing in and a signed-in user's pages
// (/signin, /signup, /signout, /bookings, /app; see account.go and
// session.go for the browser session), the layout every page shares, the
// HTML error pages, the security headers, and the form protection
// (subpackage csrf). Subpackage static holds the embedded CSS and scripts
// and serves them at content-hashed paths (the embed script also at
// /embed.js).
//
// Every page is a real URL whose first HTML response already shows its
// content and works without JavaScript; forms POST and redirect. With
// JavaScript, the picker (month, day, zone, staff) is swapped in place from
// an HTML fragment: the same URL requested with the header FragmentHeader.
//
// The use cases are reached through small interfaces declared in deps.go,
// each matching the service's method exactly, so that *business.Service,
// *scheduling.Service and *payment.Service satisfy them as they are.
//
// What does not belong here: business rules (which slot is free, what a
// cancellation refunds, who may see a booking — the services decide), JSON
// handlers, storage. The owner dashboard (/app) and the operator console
// (/ops) will be further pages of this package reusing its layout, render,
// csrf and browser session (Site.signedIn, Site.sessionForm).
package web
