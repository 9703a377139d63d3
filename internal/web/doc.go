// Package web is SlotWise's adapter for people: server-rendered HTML pages,
// beside the JSON API on the same HTTP server, that call the services' use
// cases in-process — never the API over HTTP, never a second copy of a
// rule. It holds the public booking pages (/b/{subdomain}…), a client's
// manage page (/m/{token}…), the landing page (/), the layout
// every page shares, the HTML error pages, the security headers, and the
// form protection (subpackage csrf). Subpackage static holds the embedded
// CSS and script and serves them at content-hashed paths.
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
// (/ops) will be further pages of this package reusing its layout, render
// and csrf.
package web
