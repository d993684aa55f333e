# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
package PbxDial::Sim::Control;

# The control interface for tests (/_sim/*, no auth, never recorded or
# faulted) and the live /phones page for demos and browser tests.

use Mojo::Base -strict, -signatures;

use Mojo::JSON qw(decode_json true);
use Mojo::Util qw(xml_escape);

sub register ($r) {
  $r->get('/_sim/requests'    => \&requests);
  $r->delete('/_sim/requests' => sub ($c) { $c->sim->clear_requests; $c->render(json => {ok => true}) });

  $r->post('/_sim/fault'   => \&add_fault);
  $r->get('/_sim/faults'   => sub ($c) { $c->render(json => $c->sim->faults) });
  $r->delete('/_sim/fault' => sub ($c) { $c->sim->clear_faults; $c->render(json => {ok => true}) });

  $r->get('/_sim/calls'        => sub ($c) { $c->render(json => $c->sim->call_table) });
  $r->post('/_sim/calls'       => \&add_call);
  $r->delete('/_sim/calls'     => sub ($c) { $c->render(json => {ok => true, extensions => $c->sim->hangup_all}) });
  $r->post('/_sim/calls/:id'   => \&set_call);
  $r->delete('/_sim/calls/:id' => \&drop_call);

  $r->post('/_sim/ws-drop' => \&ws_drop);
  $r->get('/_sim/ws-messages' => \&ws_messages);
  $r->delete('/_sim/ws-messages' => sub ($c) { $c->sim->clear_ws_messages; $c->render(json => {ok => true}) });
  $r->get('/_sim/sessions' => \&sessions);

  $r->get('/_sim/latency' => sub ($c) { $c->render(json => {ms => $c->sim->cfg('latency_ms')}) });
  $r->post('/_sim/latency' => \&set_latency);

  $r->get('/phones' => \&phones);
}

sub json_body ($c) {
  my $body = eval { decode_json($c->req->body || '{}') };
  return ref $body eq 'HASH' ? $body : undef;
}

sub bad ($c, $msg) { $c->render(status => 400, json => {error => $msg}) }

sub requests ($c) {
  $c->render(json => $c->sim->logged_requests($c->param('path')));
}

# {"path","kind","seconds","status","count","method"}
sub add_fault ($c) {
  my $f = json_body($c) or return bad($c, 'body must be a JSON object');
  if (my $err = $c->sim->add_fault($f)) { return bad($c, $err) }
  $c->render(json => {ok => true, faults => $c->sim->faults});
}

# {"ms":20}: the round trip added to every PBX request from now on
sub set_latency ($c) {
  my $b = json_body($c) or return bad($c, 'body must be a JSON object');
  if (my $err = $c->sim->set_latency($b->{ms})) { return bad($c, $err) }
  $c->render(json => {ok => true, ms => $c->sim->cfg('latency_ms')});
}

# {"from":"40@example.com","to":"123","connect":true}: a call started from
# outside (as if the phone dialled), pushed like any other.
sub add_call ($c) {
  my $b   = json_body($c) or return bad($c, 'body must be a JSON object');
  my $who = $c->sim->resolve_user($b->{from}) or return bad($c, 'unknown "from" extension');
  return bad($c, '"to" is required') unless defined $b->{to} && length $b->{to};
  $c->render(json => $c->sim->add_call($who, $b->{to}, connect => $b->{connect}));
}

# {"state":"connected|onhold|alerting"}
sub set_call ($c) {
  my $b = json_body($c) or return bad($c, 'body must be a JSON object');
  return bad($c, 'state must be alerting, connected or onhold')
    unless ($b->{state} // '') =~ /^(?:alerting|connected|onhold)$/;
  my $call = $c->sim->set_state($c->param('id'), $b->{state})
    or return $c->render(status => 404, json => {error => 'no such call'});
  $c->render(json => $call);
}

sub drop_call ($c) {
  $c->sim->remove_call($c->param('id')) or return $c->render(status => 404, json => {error => 'no such call'});
  $c->render(json => {ok => true});
}

# {"abrupt":true} closes the TCP connections instead of sending close frames;
# {"ext":"40@example.com"} closes only that extension's sockets.
sub ws_drop ($c) {
  my $b = json_body($c) // return bad($c, 'body must be a JSON object');
  my $key;
  if (defined $b->{ext}) {
    my $e = $c->sim->resolve_user($b->{ext}) or return bad($c, 'unknown "ext" extension');
    $key = $e->{key};
  }
  $c->render(json => {ok => true, closed => $c->sim->drop_websockets($b->{abrupt} ? 1 : 0, $key)});
}

# Messages the clients sent on websockets, oldest first; ?ext=40@example.com
# keeps one extension's.
sub ws_messages ($c) {
  my $ext = $c->param('ext');
  my $key = defined $ext ? ($c->sim->resolve_user($ext) // {})->{key} // '' : undef;
  $c->render(json => [grep { !defined $key || $_->{ext} eq $key } @{$c->sim->ws_messages}]);
}

# Counts, and the live sessions themselves (a test checks that no session id
# reached a browser).
sub sessions ($c) {
  my $sim = $c->sim;
  $sim->expire;
  my $all  = $sim->sessions;
  my @list = map { {id => $_, type => $all->{$_}{type}, ext => $all->{$_}{ext}, domain => $all->{$_}{domain}} }
    sort keys %$all;
  $c->render(json =>
      {sessions => scalar(@list), tokens => scalar(keys %{$sim->tokens}), websockets => $sim->ws_count, list => \@list});
}

# ------------------------------------------------------------------- /phones

sub phones ($c) {
  my $sim   = $c->sim;
  my $boxes = join '', map {
    my ($k, $e, $n, $d) = map { xml_escape($_) } @$_{qw(key ext name domain)};
    qq{  <section class="phone" data-ext="$e" data-domain="$d" data-key="$k">\n}
      . qq{    <header><span class="led"></span><span class="ext">$e</span><span class="name">$n</span></header>\n}
      . qq{    <div class="domain">$d</div>\n}
      . qq{    <div class="screen"><div class="calls"></div><div class="idle">idle</div></div>\n}
      . qq{  </section>\n}
  } @{$sim->all_extensions};
  my $version = xml_escape($sim->cfg('version'));
  my $html    = _page_template() =~ s/\@BOXES\@/$boxes/r =~ s/\@VERSION\@/$version/gr;
  $c->res->headers->cache_control('no-store');
  $c->render(format => 'html', data => $html);
}

# Self-contained (no external assets). Polls /_sim/calls every 500 ms and
# redraws a phone only when its calls changed, so buttons stay clickable.
sub _page_template {
  return <<'EOT';
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>PBX simulator - phones</title>
<style>
  :root { --bg:#eef1f5; --card:#fff; --ink:#1d2733; --muted:#6b7785; --ring:#f0a500; --talk:#1f9d55; --hold:#5b6ee1; }
  * { box-sizing: border-box; }
  body { margin:0; font:15px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background:var(--bg); color:var(--ink); }
  .top { display:flex; align-items:center; gap:1rem; padding:.9rem 1.5rem; background:#1d2733; color:#fff; }
  .top h1 { font-size:1.1rem; margin:0; font-weight:600; }
  .top .ver { color:#9fb0c3; font-size:.85rem; }
  .top .conn { margin-left:auto; font-size:.85rem; color:#9fe3b8; }
  .top .conn.off { color:#ff9b9b; }
  main { display:grid; grid-template-columns:repeat(auto-fill, minmax(250px, 1fr)); gap:1.2rem; padding:1.5rem; }
  .phone { background:var(--card); border-radius:14px; padding:1rem 1.1rem 1.1rem; box-shadow:0 2px 10px rgba(20,30,50,.08); border-top:5px solid #c9d2dc; }
  .phone.talking { border-top-color:var(--talk); }
  .phone.ringing { border-top-color:var(--ring); }   /* ringing wins */
  .phone header { display:flex; align-items:baseline; gap:.6rem; }
  .phone .ext { font-size:1.6rem; font-weight:700; letter-spacing:.02em; }
  .phone .name { font-size:1.05rem; }
  .phone .domain { color:var(--muted); font-size:.85rem; margin:.1rem 0 .7rem; }
  .led { width:.7rem; height:.7rem; border-radius:50%; background:#c9d2dc; align-self:center; }
  .talking .led { background:var(--talk); }
  .ringing .led { background:var(--ring); animation:blink .8s infinite; }
  @keyframes blink { 50% { opacity:.25; } }
  .screen { background:#e9f3e1; border:1px solid #cbdcbc; border-radius:8px; min-height:4.2rem; padding:.45rem .55rem; font-family:ui-monospace, "DejaVu Sans Mono", monospace; font-size:.9rem; }
  .idle { color:#7b8b6c; padding:.2rem 0; }
  .has-calls .idle { display:none; }
  .call { display:grid; grid-template-columns:1fr auto; gap:.15rem .5rem; padding:.35rem 0; border-bottom:1px dashed #cbdcbc; }
  .call:last-child { border-bottom:0; }
  .call .num { font-weight:700; }
  .call .state { justify-self:end; text-transform:uppercase; font-size:.75rem; font-weight:700; padding:.05rem .4rem; border-radius:4px; color:#fff; background:var(--muted); }
  .call[data-state=alerting] .state { background:var(--ring); }
  .call[data-state=connected] .state { background:var(--talk); }
  .call[data-state=onhold] .state { background:var(--hold); }
  .call .prompt { grid-column:1 / -1; color:#8a5a00; font-size:.82rem; }
  .call .time { color:var(--muted); font-size:.8rem; }
  .call .btns { justify-self:end; display:flex; gap:.3rem; }
  button { font:inherit; font-size:.75rem; border:0; border-radius:4px; padding:.15rem .5rem; cursor:pointer; background:#d8dee6; }
  button.hang { background:#e0554f; color:#fff; }
  button.one { background:var(--talk); color:#fff; }
</style>
</head>
<body>
<div class="top"><h1>PBX simulator</h1><span class="ver">PBX/@VERSION@</span><span class="conn" id="conn">live</span></div>
<main>
@BOXES@</main>
<script>
"use strict";
const last = {};
const esc = (s) => String(s).replace(/[&<>"']/g, (ch) => "&#" + ch.charCodeAt(0) + ";");
const since = (t) => { const s = Math.max(0, Math.floor(Date.now() / 1000 - t)); return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0"); };

function row(c) {
  const to = c["to-number"] || c.to || "";
  const prompt = c.prompt === "press1" ? '<span class="prompt">"Press 1 to continue"</span>' : "";
  const one = c.prompt === "press1" ? '<button class="one" data-act="one">1</button>' : "";
  return '<div class="call" data-id="' + esc(c.id) + '" data-to="' + esc(to) + '" data-state="' + esc(c.state) + '">' +
    '<span class="num">' + esc(to) + '</span><span class="state">' + esc(c.state) + '</span>' + prompt +
    '<span class="time" data-start="' + esc(c.start) + '">' + since(c.start) + '</span>' +
    '<span class="btns">' + one + '<button class="hang" data-act="hang">hang up</button></span></div>';
}

function draw(table) {
  for (const box of document.querySelectorAll(".phone")) {
    const calls = table[box.dataset.key] || [];
    const sig = JSON.stringify(calls.map((c) => [c.id, c.state, c.prompt]));
    if (last[box.dataset.key] !== sig) {
      last[box.dataset.key] = sig;
      box.querySelector(".calls").innerHTML = calls.map(row).join("");
    }
    box.classList.toggle("has-calls", calls.length > 0);
    box.classList.toggle("ringing", calls.some((c) => c.state === "alerting"));
    box.classList.toggle("talking", calls.some((c) => c.state !== "alerting"));
  }
  for (const t of document.querySelectorAll(".call .time")) t.textContent = since(Number(t.dataset.start));
}

async function poll() {
  const conn = document.getElementById("conn");
  try {
    const res = await fetch("/_sim/calls", { cache: "no-store" });
    draw(await res.json());
    conn.textContent = "live"; conn.classList.remove("off");
  } catch (e) {
    conn.textContent = "simulator not reachable"; conn.classList.add("off");
  }
  setTimeout(poll, 500);
}

document.addEventListener("click", async (ev) => {
  const act = ev.target.dataset && ev.target.dataset.act;
  const call = ev.target.closest && ev.target.closest(".call");
  if (!act || !call) return;
  const url = "/_sim/calls/" + encodeURIComponent(call.dataset.id);
  if (act === "hang") await fetch(url, { method: "DELETE" });
  if (act === "one") await fetch(url, { method: "POST", body: JSON.stringify({ state: "connected" }) });
});

poll();
</script>
</body>
</html>
EOT
}

1;
