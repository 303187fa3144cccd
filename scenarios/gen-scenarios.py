#!/usr/bin/env python3
"""scenarios/gen-scenarios.py: writes the SIPp XML and case.ini files of
the generated cases under scenarios/ (the committed files are its output;
edit this, run it, commit both).  proxy/rr-caller-bye and
proxy/rr-tcp-caller are written by hand.

Helpers: invite/cancel/ack_non2xx/in_dialog build caller requests, resp
builds a callee response, recv/ss/msgre build checks (ss() matches the
X-SS-State header, msgre() the whole message), finish() wraps a scenario
and declares its variables to SIPp, write() puts a case in place."""
import os, re
ROOT=os.path.dirname(os.path.abspath(__file__))
HDR='''<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<!-- %s -->
<scenario name="%s">
'''
def ss(regexp, var):
    return '      <ereg regexp="%s" search_in="hdr" header="X-SS-State:" check_it="true" assign_to="%s"/>\n' % (regexp, var)
def msgre(regexp, var, inverse=False):
    k = 'check_it_inverse' if inverse else 'check_it'
    return '      <ereg regexp="%s" search_in="msg" %s="true" assign_to="%s"/>\n' % (regexp.replace('<','&lt;'), k, var)
def recv(what, checks='', extra=''):
    kind = 'response' if what[0].isdigit() else 'request'
    s = '  <recv %s="%s"%s' % (kind, what, extra)
    if checks:
        return s + '>\n    <action>\n' + checks + '    </action>\n  </recv>\n'
    return s + '/>\n'
def send(text, retrans=False):
    r = ' retrans="500"' if retrans else ''
    return '  <send%s>\n    <![CDATA[\n%s\n    ]]>\n  </send>\n' % (r, '\n'.join('      '+l for l in text.strip('\n').split('\n')) + '\n')
def pause(ms): return '  <pause milliseconds="%d"/>\n' % ms
# A response a callee sends right after another (a 180, then its 200) waits
# RING_MS: a container may relay two responses sent back to back on
# different threads, in either order, and no caller expects that.
RING_MS = 100
BACK_TO_BACK = re.compile(r'(  <send[^>]*>\n    <!\[CDATA\[\n      SIP/2\.0 1[0-9][0-9] (?:(?!</send>).)*</send>\n)'
                          r'(?=  <send[^>]*>\n    <!\[CDATA\[\n      SIP/2\.0 [2-6])', re.S)
def finish(desc, name, body):
    body = BACK_TO_BACK.sub(lambda m: m.group(1) + pause(RING_MS), body)
    vs = [v for a in re.findall(r'assign_to="([\w,]+)"', body) for v in a.split(',')]
    ref = ('  <Reference variables="%s"/>\n' % ','.join(vs)) if vs else ''
    return HDR % (desc, name) + body + ref + '</scenario>\n'

FROM='From: <sip:alice@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]'
def invite(mf=70, callee='callee', extra=''):
    return send('''INVITE sip:bob@[%s] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
%s
To: <sip:bob@[%s]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:alice@[local_ip]:[local_port]>
Max-Forwards: %d
%sContent-Length: 0
''' % (callee, FROM, callee, mf, extra), retrans=True)
def ack_non2xx(branch_back, callee='callee'):
    return send('''ACK sip:bob@[%s] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch-%d]
%s
[last_To:]
Call-ID: [call_id]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0
''' % (callee, branch_back, FROM))
def cancel(branch_back, callee='callee'):
    return send('''CANCEL sip:bob@[%s] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch-%d]
%s
To: <sip:bob@[%s]>
Call-ID: [call_id]
CSeq: 1 CANCEL
Max-Forwards: 70
Content-Length: 0
''' % (callee, branch_back, FROM, callee), retrans=True)
def in_dialog(method, cseq):
    return send('''%s [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
%s
[last_To:]
[routes]
Call-ID: [call_id]
CSeq: %d %s
Max-Forwards: 70
Content-Length: 0
''' % (method, FROM, cseq, method), retrans=(method != 'ACK'))
def resp(code, reason, tag='01', rr=True, contact=True, cseq=None, retrans=None, via='[last_Via:]'):
    lines = ['SIP/2.0 %d %s' % (code, reason), via, '[last_From:]',
             '[last_To:]' + ((';tag=[pid]SIPpTag%s[call_number]' % tag) if tag else ''),
             '[last_Call-ID:]', ('CSeq: %s' % cseq) if cseq else '[last_CSeq:]']
    if rr: lines.append('[last_Record-Route:]')
    if contact: lines.append('Contact: <sip:bob@[local_ip]:[local_port]>')
    lines.append('Content-Length: 0')
    return send('\n'.join(lines) + '\n', retrans=(code >= 200 and code < 300) if retrans is None else retrans)

# Without Record-Route the dialog goes straight to the answering agent:
# its address from the harness's [NAME_host] and [NAME_port] keys.
def direct(agent='callee'):
    return '      <setdest host="[%s_host]" port="[%s_port]" protocol="udp"/>\n' % (agent, agent)

# The INVITE's whole Via set, for the 487 sent after the CANCEL (whose
# Via is the proxy's alone): [last_Via:] copies every Via line, where an
# ereg on the header Via: keeps the first only, the proxy's, and a 487
# with only that Via is for the proxy itself (RFC 3261 16.7 step 3).
# In a <nop> after the <recv>: in the recv's own actions [last_*] is
# still the message before.
KEEPVIA = '  <nop>\n    <action>\n      <assignstr assign_to="invvia" value="[last_Via:]"/>\n    </action>\n  </nop>\n'
def write(case, files, ini):
    d = os.path.join(ROOT, case); os.makedirs(d, exist_ok=True)
    for fn, txt in files.items():
        open(os.path.join(d, fn), 'w').write(txt)
    open(os.path.join(d, 'case.ini'), 'w').write(ini)

def ini(summary, rules, app, args, agents, expect=''):
    s = '[case]\nsummary = %s\nrules = %s\n\n[ref]\napp = %s\nargs = %s\n' % (summary, rules, app, args)
    for i, (name, role, sc) in enumerate(agents):
        s += '\n[agent.%s]\nrole = %s\nscenario = %s\nstart = %d\n' % (name, role, sc, i + 1)
    if expect:
        s += '\n[expect]\n' + expect
    return s

# A 200 to the request just received (no tag added, no Contact).
OK_TO_REQ = send('''SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0
''')

# ---- proxy: callee hangs up ----
uac = invite() + recv('100', ss('state=INITIAL;','a'), ' optional="true"') + \
    recv('180', ss('state=EARLY;role=PROXY','b')) + recv('200', ss('state=CONFIRMED;role=PROXY','c'), ' rrs="true"') + \
    in_dialog('ACK', 1) + recv('BYE', ss('state=CONFIRMED;role=PROXY','d')) + \
    OK_TO_REQ + pause(200)
uas = recv('INVITE', msgre('Record-Route: <sip:[^>]*;lr[;>]','rr') + '      <ereg regexp=".*" search_in="hdr" header="From:" check_it="true" assign_to="caller"/>\n', ' rrs="true"') + resp(180,'Ringing') + resp(200,'OK') + recv('ACK') + \
    pause(100) + send('''BYE [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:bob@[local_ip]:[local_port]>;tag=[pid]SIPpTag01[call_number]
To: [$caller]
[routes]
Call-ID: [call_id]
CSeq: 1 BYE
Max-Forwards: 70
Content-Length: 0
''', retrans=True) + recv('200', ss('state=TERMINATED;role=PROXY','e'))
write('proxy/rr-callee-bye', {'uac.xml': finish('caller of a record-routed call the callee ends', 'proxy callee bye: uac', uac),
                              'uas.xml': finish('callee that hangs up through the proxy', 'proxy callee bye: uas', uas)},
      ini('Record-routing proxy (EX-03): the callee hangs up through the proxy', 'EX-03 PROXY-06 SS-STATE-30 SS-STATE-33', 'proxy', '',
          [('callee','uas','uas.xml'),('caller','uac','uac.xml')]))

# ---- CANCEL during ringing (every app) ----
# the 200 to the CANCEL: TERMINATED at the CANCEL (CF-19=0) or still EARLY
# until the 487 is forwarded (CF-19=1); the oracle judges which
uac_c = invite() + recv('100', '', ' optional="true"') + recv('180', ss('state=EARLY;','a')) + cancel(3) + \
    recv('200', ss('state=(EARLY|TERMINATED);','b')) + recv('487', ss('state=TERMINATED;','c')) + ack_non2xx(6)
uas_c = recv('INVITE') + KEEPVIA + resp(180, 'Ringing') + recv('CANCEL') + resp(200, 'OK', tag='', retrans=False) + \
    resp(487, 'Request Terminated', cseq='1 INVITE', via='[$invvia]') + recv('ACK')
for app, args, rules in [('proxy', '', 'PROXY-14 SS-STATE-32 PROXY-15'), ('send-on', '', 'PROXY-14 SS-STATE-32 EX-01'),
                         ('fork', '--target sip:bob@{callee}', 'PROXY-14 SS-STATE-32')]:
    group = {'proxy': 'proxy', 'send-on': 'send-on', 'fork': 'fork'}[app]
    write('%s/cancel-ringing' % group, {'uac.xml': finish('caller that cancels while ringing', app + ' cancel: uac', uac_c),
                                        'uas.xml': finish('callee that rings and is cancelled', app + ' cancel: uas', uas_c)},
          ini('%s: CANCEL during ringing reaches the callee; 487 upstream' % app, rules, app, args,
              [('callee','uas','uas.xml'),('caller','uac','uac.xml')]))

# ---- Max-Forwards 0 ----
uac_mf = invite(mf=0) + recv('100', '', ' optional="true"') + recv('483', ss('state=TERMINATED;','a')) + ack_non2xx(3)
write('proxy/max-forwards-zero', {'uac.xml': finish('INVITE with Max-Forwards 0', 'mf0: uac', uac_mf)},
      ini('Max-Forwards 0: 483 Too Many Hops (PROXY-02)', 'PROXY-02 SS-STATE-23', 'proxy', '', [('caller','uac','uac.xml')]))

# ---- send-on basic: no Record-Route ----
uac_s = invite() + recv('100', '', ' optional="true"') + recv('180', ss('state=EARLY;role=PROXY','a')) + \
    recv('200', ss('state=CONFIRMED;role=PROXY','b') + direct(), ' rrs="true"') + in_dialog('ACK', 1) + pause(100) + in_dialog('BYE', 2) + recv('200')
uas_s = recv('INVITE', msgre('Record-Route:', 'rr', inverse=True)) + resp(180, 'Ringing', rr=False) + \
    resp(200, 'OK', rr=False) + recv('ACK', direct('caller')) + recv('BYE') + resp(200, 'OK', tag='', rr=False, contact=False)
write('send-on/basic', {'uac.xml': finish('caller through the SendOnServlet', 'send-on: uac', uac_s),
                        'uas.xml': finish('callee: no Record-Route from send-on', 'send-on: uas', uas_s)},
      ini('SendOnServlet (EX-01): proxied without Record-Route', 'EX-01 PROXY-07 PROXY-08 INVAL-10', 'send-on', '',
          [('callee','uas','uas.xml'),('caller','uac','uac.xml')]))

# ---- send-on rejects foreign callers ----
uac_r = invite() + recv('100', '', ' optional="true"') + \
    recv('403', ss('state=TERMINATED;role=UAS','a') + msgre('SIP/2.0 403 Calls outside example.com not accepted', 'r')) + ack_non2xx(3)
write('send-on/reject-foreign', {'uac.xml': finish('caller from outside example.com', 'send-on 403: uac', uac_r)},
      ini('SendOnServlet with the domain switch: 403 for a caller outside example.com', 'EX-01 SS-STATE-23', 'send-on',
          '--domain example.com', [('caller','uac','uac.xml')]))

# A callee that rings with To tag @t and is cancelled: 200 to the CANCEL,
# 487 with all the INVITE's Vias and the same tag, then the ACK.
def ringer(t, rr=True):
    return recv('INVITE') + KEEPVIA + resp(180, 'Ringing', tag=t, rr=rr) + recv('CANCEL') + resp(200, 'OK', tag='', rr=False, contact=False, retrans=False) + \
        resp(487, 'Request Terminated', tag=t, cseq='1 INVITE', rr=False, via='[$invvia]') + recv('ACK')

# ---- fork: parallel, one 200, the ringing branch cancelled ----
uac_f = invite() + recv('100', '', ' optional="true"') + recv('180', '', ' optional="true"') + recv('180', '', ' optional="true"') + \
    recv('200', ss('state=CONFIRMED;role=PROXY','a'), ' rrs="true"') + in_dialog('ACK', 1) + pause(300) + in_dialog('BYE', 2) + recv('200', ss('state=TERMINATED;','b'))
uas_win = recv('INVITE', msgre('Record-Route:', 'rr')) + resp(180, 'Ringing', tag='0A') + pause(300) + resp(200, 'OK', tag='0A') + recv('ACK') + recv('BYE') + \
    resp(200, 'OK', tag='', contact=False, rr=False)
uas_ring = ringer('0B')
write('fork/parallel-200-cancel', {'uac.xml': finish('caller of a parallel fork', 'fork: uac', uac_f),
                                   'uas-a.xml': finish('branch A: rings, then answers', 'fork: a', uas_win),
                                   'uas-b.xml': finish('branch B: rings, gets CANCEL', 'fork: b', uas_ring)},
      ini('Parallel fork: A answers, ringing B gets CANCEL; two to-tags make a derived session', 'PROXY-04 PROXY-05 PROXY-09 DERIVED-01 DERIVED-04',
          'fork', '--record-route --target sip:bob@{a} --target sip:bob@{b}',
          [('a','uas','uas-a.xml'),('b','uas','uas-b.xml'),('caller','uac','uac.xml')], 'derived = 1\n'))

# ---- fork: 486 and 404 -> 404 upstream ----
uac_bf = invite() + recv('100', '', ' optional="true"') + recv('404', ss('state=TERMINATED;role=PROXY','a')) + ack_non2xx(3)
uas_486 = recv('INVITE') + resp(486, 'Busy Here', rr=False, contact=False) + recv('ACK')
uas_404 = recv('INVITE') + pause(200) + resp(404, 'Not Found', rr=False, contact=False) + recv('ACK')
write('fork/best-response-404', {'uac.xml': finish('caller: gets the best response', 'best: uac', uac_bf),
                                 'uas-a.xml': finish('branch A: busy', 'best: a', uas_486),
                                 'uas-b.xml': finish('branch B: not found', 'best: b', uas_404)},
      ini('Parallel fork: 486 and 404, the lowest code goes upstream (PROXY-10)', 'PROXY-10 SS-STATE-31 CF-16',
          'fork', '--target sip:bob@{a} --target sip:bob@{b}',
          [('a','uas','uas-a.xml'),('b','uas','uas-b.xml'),('caller','uac','uac.xml')]))

# ---- fork: sequential, the first target times out ----
uac_sq = invite() + recv('100', '', ' optional="true"') + recv('180', '', ' optional="true"') + recv('180', '', ' optional="true"') + \
    recv('200', ss('state=CONFIRMED;','a') + direct('b')) + ack_non2xx(0).replace('[branch-0]','[branch]').replace('sip:bob@[callee]', 'sip:bob@[b]') + pause(100)
uas_slow = ringer('0A', rr=False)
uas_ok = recv('INVITE') + resp(200, 'OK', tag='0B', rr=False) + recv('ACK')
write('fork/sequential-timeout', {'uac.xml': finish('caller of a sequential fork', 'seq: uac', uac_sq),
                                  'uas-a.xml': finish('first target: rings until the branch timeout', 'seq: a', uas_slow),
                                  'uas-b.xml': finish('second target: answers', 'seq: b', uas_ok)},
      ini('Sequential fork: the first target times out and is cancelled, the second answers (PROXY-05)', 'PROXY-05 PROXY-14',
          'fork', '--sequential --branch-timeout 800 --target sip:bob@{a} --target sip:bob@{b}',
          [('a','uas','uas-a.xml'),('b','uas','uas-b.xml'),('caller','uac','uac.xml')]))
print("proxy, send-on, fork: ok")

# ================= B2BUA =================
CAPFROM = '      <ereg regexp=".*" search_in="hdr" header="From:" check_it="true" assign_to="caller"/>\n'
def uas_request(method, cseq):
    return send('''%s [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:bob@[local_ip]:[local_port]>;tag=[pid]SIPpTag01[call_number]
To: [$caller]
Call-ID: [call_id]
CSeq: %d %s
Max-Forwards: 70
Content-Length: 0
''' % (method, cseq, method), retrans=True)

uac_b = invite() + recv('100', '', ' optional="true"') + \
    recv('180', ss('state=EARLY;role=UAS;.*sip=2', 'a')) + \
    recv('200', ss('state=CONFIRMED;role=UAS;.*sip=2', 'b') + msgre('\\nContact: <sip:', 'ct') +
         msgre('Contact: <sip:bob-leg@', 'cb', inverse=True) +
         '      <ereg regexp=".*" search_in="hdr" header="To:" check_it="true" assign_to="callee"/>\n', ' rrs="true"') + \
    in_dialog('ACK', 1) + in_dialog('INFO', 2) + recv('200', ss('state=CONFIRMED;role=UAS', 'c')) + \
    recv('INFO', ss('state=CONFIRMED;role=UAS', 'd')) + OK_TO_REQ + pause(100) + \
    in_dialog('BYE', 3).replace('[last_To:]', 'To: [$callee]') + recv('200', ss('state=TERMINATED;role=UAS', 'e'))
# The callee's Contact names it (bob-leg), so the caller sees that the 2xx
# it gets carries the B2BUA's own; what the callee needs later it takes
# first, so that a failed check leaves the rest of the call playable.
uas_b = recv('INVITE', CAPFROM + ss('state=INITIAL;role=UAC;.*sip=2', 'a') +
             msgre('\\nTo:[^\\n]*tag=', 'tt', inverse=True) + msgre('Record-Route:', 'rr', inverse=True), ' rrs="true"') + \
    resp(180, 'Ringing', rr=False) + resp(200, 'OK', rr=False).replace('<sip:bob@', '<sip:bob-leg@') + recv('ACK', ss('state=CONFIRMED;role=UAC', 'b')) + \
    recv('INFO', ss('state=CONFIRMED;role=UAC', 'c')) + OK_TO_REQ + pause(100) + \
    uas_request('INFO', 1) + recv('200', ss('state=CONFIRMED;role=UAC', 'd')) + \
    recv('BYE', ss('state=CONFIRMED;role=UAC', 'e')) + OK_TO_REQ + pause(200)
write('b2bua/call-info-bye', {'uac.xml': finish('caller of a B2BUA call: INFO both ways, BYE', 'b2b call: uac', uac_b),
                              'uas.xml': finish('callee leg of the B2BUA', 'b2b call: uas', uas_b)},
      ini('B2BUA: a linked leg in the same SAS, INFO relayed both ways, BYE (TCK B2BUA flows)',
          'B2B-02 B2B-05 B2B-07 OWN-03 SS-STATE-22 SS-STATE-25', 'b2bua', '',
          [('callee','uas','uas.xml'),('caller','uac','uac.xml')]))

uac_a = invite() + recv('100', '', ' optional="true"') + recv('200', ss('state=CONFIRMED;role=UAS', 'a'), ' rrs="true"') + \
    in_dialog('ACK', 1) + pause(100) + in_dialog('BYE', 2) + recv('200', ss('state=TERMINATED;role=UAS', 'b'))
CAP1 = ('      <ereg regexp=".*" search_in="hdr" header="Call-ID:" check_it="true" assign_to="cid1"/>\n'
        '      <ereg regexp="tag=([^;]*)" search_in="hdr" header="From:" check_it="true" assign_to="ft1,ftag1"/>\n')
CAP2 = ('      <ereg regexp=".*" search_in="hdr" header="Call-ID:" check_it="true" assign_to="cid2"/>\n'
        '      <ereg regexp="tag=([^;]*)" search_in="hdr" header="From:" check_it="true" assign_to="ft2,ftag2"/>\n'
        '      <strcmp assign_to="dcid" variable="cid1" variable2="cid2"/>\n'
        '      <test assign_to="samecid" variable="dcid" compare="equal" value="0" check_it="true"/>\n'
        '      <strcmp assign_to="dtag" variable="ftag1" variable2="ftag2"/>\n'
        '      <test assign_to="sametag" variable="dtag" compare="equal" value="0" check_it="true"/>\n')
uas_a = recv('INVITE', CAP1) + send('''SIP/2.0 407 Proxy Authentication Required
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag0X[call_number]
[last_Call-ID:]
[last_CSeq:]
Proxy-Authenticate: Digest realm="sstck", nonce="1"
Content-Length: 0
''') + recv('ACK') + \
    recv('INVITE', CAP2 + msgre('CSeq: 2 INVITE', 'cs') + msgre('Proxy-Authorization: Digest', 'pa') +
         msgre('\\nTo:[^\\n]*tag=', 'tt', inverse=True) + ss('state=INITIAL;role=UAC', 's')) + \
    resp(200, 'OK', rr=False) + recv('ACK') + recv('BYE') + OK_TO_REQ + pause(200)
write('b2bua/auth-retry-407', {'uac.xml': finish('caller of a B2BUA whose callee challenges', 'b2b 407: uac', uac_a),
                               'uas.xml': finish('callee that challenges once with 407', 'b2b 407: uas', uas_a)},
      ini('B2BUA retries a 407 on the same session: same Call-ID and From tag, no To tag, next CSeq',
          'SS-STATE-14 SS-STATE-15 B2B-02', 'b2bua', '--auth-retry',
          [('callee','uas','uas.xml'),('caller','uac','uac.xml')]))

uac_404 = invite() + recv('100', '', ' optional="true"') + recv('404', ss('state=TERMINATED;role=UAS', 'a')) + ack_non2xx(3)
uas_404 = recv('INVITE') + resp(404, 'Not Found', rr=False, contact=False) + recv('ACK')
write('b2bua/rejected-404', {'uac.xml': finish('caller of a B2BUA call the callee rejects', 'b2b 404: uac', uac_404),
                             'uas.xml': finish('callee that rejects with 404', 'b2b 404: uas', uas_404)},
      ini('B2BUA: the callee rejects with 404, relayed; both legs end (TCK B2BUA rejected flow)',
          'B2B-02 SS-STATE-14 SS-STATE-23', 'b2bua', '',
          [('callee','uas','uas.xml'),('caller','uac','uac.xml')]))

uac_bc = uac_c.replace("recv('200'", "").replace('state=(EARLY|TERMINATED);" search_in="hdr" header="X-SS-State:" check_it="true" assign_to="b"', 'state=EARLY;role=UAS" search_in="hdr" header="X-SS-State:" check_it="true" assign_to="b"')
write('b2bua/cancel-ringing', {'uac.xml': finish('caller that cancels while ringing', 'b2b cancel: uac', uac_bc),
                               'uas.xml': finish('callee leg that rings and is cancelled', 'b2b cancel: uas', uas_c)},
      ini('B2BUA: CANCEL during ringing propagated to the other leg; 487 upstream', 'SS-STATE-24 SS-STATE-16',
          'b2bua', '', [('callee','uas','uas.xml'),('caller','uac','uac.xml')]))
write('b2bua/max-forwards-zero', {'uac.xml': finish('INVITE with Max-Forwards 0', 'b2b mf0: uac', uac_mf)},
      ini('B2BUA: Max-Forwards 0 gives 483 (B2B-03)', 'B2B-03', 'b2bua', '', [('caller','uac','uac.xml')]))
print("b2bua: ok")

# ---- fork: three branches ring (two derived sessions), A answers ----
uac_3 = invite() + recv('100', '', ' optional="true"') + ''.join(recv('180', '', ' optional="true"') for _ in range(3)) + \
    recv('200', ss('state=CONFIRMED;role=PROXY','a'), ' rrs="true"') + in_dialog('ACK', 1) + pause(300) + in_dialog('BYE', 2) + recv('200', ss('state=TERMINATED;','b'))
uas_3a = recv('INVITE') + resp(180, 'Ringing', tag='0A') + pause(400) + resp(200, 'OK', tag='0A') + recv('ACK') + recv('BYE') + \
    resp(200, 'OK', tag='', contact=False, rr=False)
write('fork/three-180s', {'uac.xml': finish('caller of a three-way parallel fork', 'fork3: uac', uac_3),
                          'uas-a.xml': finish('branch A: rings, answers', 'fork3: a', uas_3a),
                          'uas-b.xml': finish('branch B: rings, cancelled', 'fork3: b', ringer('0B')),
                          'uas-c.xml': finish('branch C: rings, cancelled', 'fork3: c', ringer('0C'))},
      ini('Parallel fork to three: three 180s with three To tags make two derived sessions; the losers are cancelled',
          'DERIVED-01 DERIVED-04 DERIVED-06 PROXY-09', 'fork',
          '--record-route --target sip:bob@{a} --target sip:bob@{b} --target sip:bob@{c}',
          [('a','uas','uas-a.xml'),('b','uas','uas-b.xml'),('c','uas','uas-c.xml'),('caller','uac','uac.xml')], 'derived = 2\n'))
print("fork/three-180s: ok")

# ================= more proxy flows (the JSR 289 TCK's proxy tests) =================
def uas_req(method, cseq, routes=True, extra=''):
    """A request from the callee in its dialog: To is the caller's From."""
    return send('''%s [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:bob@[local_ip]:[local_port]>;tag=[pid]SIPpTag01[call_number]
To: [$caller]
%sCall-ID: [call_id]
CSeq: %d %s
Contact: <sip:bob@[local_ip]:[local_port]>
Max-Forwards: 70
%sContent-Length: 0
''' % (method, '[routes]\n' if routes else '', cseq, method, extra), retrans=True)
SAVETO = '      <ereg regexp=".*" search_in="hdr" header="To:" check_it="true" assign_to="callee_to"/>\n'
def caller_req(method, cseq):
    return in_dialog(method, cseq).replace('[last_To:]', 'To: [$callee_to]')
def two(a='a', b='b'):
    return [(a,'uas','uas-a.xml'),(b,'uas','uas-b.xml'),('caller','uac','uac.xml')]
ONE = [('callee','uas','uas.xml'),('caller','uac','uac.xml')]
def REJ(code, reason):
    return resp(code, reason, rr=False, contact=False, retrans=False)

# ---- proxy: the callee is busy; the 486 goes upstream, its ACK stays hop-by-hop ----
uac_busy = invite() + recv('100', '', ' optional="true"') + recv('486', ss('state=TERMINATED;role=PROXY','a')) + ack_non2xx(3)
uas_busy = recv('INVITE', msgre('Record-Route:', 'rr')) + REJ(486, 'Busy Here') + recv('ACK', msgre('ACK sip:bob@', 'ak')) + pause(300)
write('proxy/callee-busy-486', {'uac.xml': finish('caller of a busy callee', 'busy: uac', uac_busy),
                                'uas.xml': finish("busy callee: 486, then the proxy's ACK", 'busy: uas', uas_busy)},
      ini('Record-routing proxy: the callee answers 486; it goes upstream, the ACK is hop-by-hop (PROXY-15)',
          'PROXY-10 PROXY-15 SS-STATE-31 SS-STATE-23', 'proxy', '', ONE))

# ---- proxy: re-INVITE in a record-routed dialog ----
uac_ri = invite() + recv('100', '', ' optional="true"') + recv('180', '', ' optional="true"') + \
    recv('200', ss('state=CONFIRMED;role=PROXY','a'), ' rrs="true"') + in_dialog('ACK', 1) + pause(100) + \
    in_dialog('INVITE', 2) + recv('100', '', ' optional="true"') + recv('200', ss('state=CONFIRMED;role=PROXY','b')) + \
    in_dialog('ACK', 2) + pause(100) + in_dialog('BYE', 3) + recv('200', ss('state=TERMINATED;role=PROXY','c'))
uas_ri = recv('INVITE', '', ' rrs="true"') + resp(180, 'Ringing') + resp(200, 'OK') + recv('ACK') + \
    recv('INVITE', ss('state=CONFIRMED;role=PROXY','a') + msgre('CSeq: 2 INVITE', 'cs')) + \
    resp(200, 'OK', tag='', rr=False) + recv('ACK') + recv('BYE') + OK_TO_REQ + pause(200)
write('proxy/rr-reinvite', {'uac.xml': finish('caller that re-INVITEs in a record-routed dialog', 'reinvite: uac', uac_ri),
                            'uas.xml': finish('callee of a re-INVITE', 'reinvite: uas', uas_ri)},
      ini('Record-routing proxy: a re-INVITE keeps the session CONFIRMED; BYE ends it', 'EX-03 PROXY-08 SS-STATE-30 SS-STATE-33',
          'proxy', '', ONE))

# ---- proxy: INFO both ways, then the caller hangs up ----
# (the caller waits after its ACK: a container may relay the ACK and the
# INFO that follows it on different threads, in either order)
uac_info = invite() + recv('100', '', ' optional="true"') + recv('180', '', ' optional="true"') + \
    recv('200', ss('state=CONFIRMED;role=PROXY','a') + SAVETO, ' rrs="true"') + in_dialog('ACK', 1) + \
    pause(200) + caller_req('INFO', 2) + recv('200', ss('state=CONFIRMED;role=PROXY','b')) + \
    recv('INFO', ss('state=CONFIRMED;role=PROXY','c')) + OK_TO_REQ + pause(100) + \
    caller_req('BYE', 3) + recv('200', ss('state=TERMINATED;role=PROXY','d'))
uas_info = recv('INVITE', CAPFROM, ' rrs="true"') + resp(180, 'Ringing') + resp(200, 'OK') + recv('ACK') + \
    recv('INFO', ss('state=CONFIRMED;role=PROXY','a')) + OK_TO_REQ + pause(100) + uas_req('INFO', 1) + \
    recv('200', ss('state=CONFIRMED;role=PROXY','b')) + recv('BYE') + OK_TO_REQ + pause(200)
write('proxy/rr-info-both-ways', {'uac.xml': finish('caller: INFO, then INFO from the callee, then BYE', 'info: uac', uac_info),
                                  'uas.xml': finish('callee: INFO back along the Record-Route', 'info: uas', uas_info)},
      ini('Record-routing proxy: INFO in the dialog both ways through the Route set (TCK in-dialog flow)',
          'EX-03 PROXY-08 SS-STATE-30', 'proxy', '', ONE))

# ---- proxy: each out-of-dialog request is an initial request of its own ----
OPT = '''OPTIONS sip:bob@[callee] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
%s
To: <sip:bob@[callee]>
Call-ID: [call_id]
CSeq: %d OPTIONS
Contact: <sip:alice@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Length: 0
'''
uac_opt = send(OPT % (FROM, 1), retrans=True) + recv('200', ss('id=([^;]*);', 'ss_x1,ss_id1')) + \
    send(OPT % (FROM, 2), retrans=True) + recv('200', ss('id=([^;]*);', 'ss_x2,ss_id2') +
    '      <strcmp assign_to="ss_cmp" variable="ss_id1" variable2="ss_id2"/>\n'
    '      <test assign_to="ss_differ" variable="ss_cmp" compare="not_equal" value="0" check_it="true"/>\n')
uas_opt = recv('OPTIONS', msgre('Record-Route:', 'rr')) + REJ(200, 'OK') + recv('OPTIONS') + REJ(200, 'OK')
write('proxy/options-each-initial', {'uac.xml': finish('two OPTIONS outside any dialog', 'options: uac', uac_opt),
                                     'uas.xml': finish('callee answering both OPTIONS', 'options: uas', uas_opt)},
      ini('Each out-of-dialog request is initial: two OPTIONS get two SipSessions (SS-STATE-51)',
          'SS-STATE-51 PROXY-08', 'proxy', '', ONE))

# ---- proxy: Max-Forwards 1 is forwarded with 0 ----
uac_mf1 = invite(mf=1) + recv('100', '', ' optional="true"') + recv('486', ss('state=TERMINATED;','a')) + ack_non2xx(3)
uas_mf1 = recv('INVITE', msgre('[Mm]ax-[Ff]orwards: 0', 'mf') + msgre('Via:[^\\n]*\\n[Vv]ia:', 'twovia')) + \
    REJ(486, 'Busy Here') + recv('ACK')
write('proxy/max-forwards-one', {'uac.xml': finish('INVITE with Max-Forwards 1', 'mf1: uac', uac_mf1),
                                 'uas.xml': finish('callee: Max-Forwards 0, two Vias', 'mf1: uas', uas_mf1)},
      ini('Max-Forwards 1 is decremented to 0 and forwarded; one Via is added (PROXY-08)', 'PROXY-08 PROXY-10',
          'proxy', '', ONE))

# ---- proxy: SUBSCRIBE, NOTIFY active, NOTIFY terminated ----
uac_sub = send('''SUBSCRIBE sip:bob@[callee] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
%s
To: <sip:bob@[callee]>
Call-ID: [call_id]
CSeq: 1 SUBSCRIBE
Contact: <sip:alice@[local_ip]:[local_port]>
Event: presence
Expires: 60
Max-Forwards: 70
Content-Length: 0
''' % FROM, retrans=True) + recv('200', ss('state=CONFIRMED;role=PROXY','a')) + \
    recv('NOTIFY', ss('state=CONFIRMED;role=PROXY','b')) + OK_TO_REQ + \
    recv('NOTIFY', msgre('[Ss]ubscription-[Ss]tate: terminated', 'st')) + OK_TO_REQ + pause(300)
uas_sub = recv('SUBSCRIBE', msgre('Record-Route:', 'rr') + CAPFROM, ' rrs="true"') + \
    resp(200, 'OK', retrans=False) + pause(50) + \
    uas_req('NOTIFY', 1, extra='Event: presence\nSubscription-State: active;expires=60\n') + recv('200') + pause(50) + \
    uas_req('NOTIFY', 2, extra='Event: presence\nSubscription-State: terminated;reason=noresource\n') + \
    recv('200', ss('state=TERMINATED;role=PROXY','c'))
write('proxy/subscribe-notify', {'uac.xml': finish('subscriber', 'subscribe: uac', uac_sub),
                                 'uas.xml': finish('notifier: active, then terminated', 'subscribe: uas', uas_sub)},
      ini('Record-routing proxy: a NOTIFY with Subscription-State terminated ends the only usage, so the session (SS-STATE-41)',
          'SS-STATE-41 EX-03', 'proxy', '', ONE))

# ---- proxy: recursion on a 302 (PROXY-12) ----
uac_rec = invite(callee='a') + recv('100', '', ' optional="true"') + recv('180', '', ' optional="true"') + \
    recv('200', ss('state=CONFIRMED;role=PROXY','a'), ' rrs="true"') + in_dialog('ACK', 1) + pause(100) + \
    in_dialog('BYE', 2) + recv('200', ss('state=TERMINATED;','b'))
def moved(to):
    return recv('INVITE') + send('''SIP/2.0 302 Moved Temporarily
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag0A[call_number]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:carol@[%s]>
Content-Length: 0
''' % to) + recv('ACK')
uas_new = recv('INVITE', msgre('^INVITE sip:carol@', 'ru'), ' rrs="true"') + resp(180, 'Ringing', tag='0B') + \
    resp(200, 'OK', tag='0B') + recv('ACK') + recv('BYE') + OK_TO_REQ + pause(200)
write('proxy/recursion-302', {'uac.xml': finish('caller: never sees the 302', 'recurse: uac', uac_rec),
                              'uas-a.xml': finish('first target: moved (302 to b)', 'recurse: a', moved('b')),
                              'uas-b.xml': finish('the Contact of the 302: answers', 'recurse: b', uas_new)},
      ini("Recursion: the 302's Contact becomes a new branch; the caller never sees the 3xx (PROXY-12)",
          'PROXY-12 PROXY-09 EX-03', 'proxy', '--recurse', two()))

# ---- fork without recursion: the 302 goes upstream ----
uac_nr = invite() + recv('100', '', ' optional="true"') + recv('302', msgre('Contact: <sip:carol@', 'ct')) + ack_non2xx(3)
write('fork/no-recurse-302', {'uac.xml': finish('caller: gets the 302', 'norecurse: uac', uac_nr),
                              'uas.xml': finish('target: moved', 'norecurse: a', moved('callee'))},
      ini('Without recursion the 3xx is a final response like any other and goes upstream (PROXY-12)',
          'PROXY-12 PROXY-10', 'fork', '--no-recurse --target sip:bob@{callee}', ONE))

# ---- fork: the best-response callback proxies once more (best-response re-proxy) ----
uac_rp = invite() + recv('100', '', ' optional="true"') + recv('180', '', ' optional="true"') + \
    recv('200', ss('state=CONFIRMED;role=PROXY','a') + direct('b'), ' rrs="true"') + in_dialog('ACK', 1) + pause(100) + \
    in_dialog('BYE', 2) + recv('200')
uas_rp_a = recv('INVITE') + REJ(486, 'Busy Here') + recv('ACK')
uas_rp_b = recv('INVITE', ss('state=INITIAL;role=PROXY','a')) + resp(180, 'Ringing', tag='0B', rr=False) + \
    resp(200, 'OK', tag='0B', rr=False) + recv('ACK', direct('caller')) + recv('BYE') + OK_TO_REQ + pause(100)
write('proxy/best-response-reproxy', {'uac.xml': finish('caller: never sees the 486', 'reproxy: uac', uac_rp),
                                      'uas-a.xml': finish('first target: busy', 'reproxy: a', uas_rp_a),
                                      'uas-b.xml': finish('target added in the best-response callback', 'reproxy: b', uas_rp_b)},
      ini('Best-response callback: on the 486 the application proxies to a new target, which answers (PROXY-11, SS-STATE-31)',
          'PROXY-11 SS-STATE-31 PROXY-13', 'fork', '--target sip:bob@{a} --reproxy sip:bob@{b}', two()))

# ---- fork: unsupervised, the callback is not called ----
uac_us = invite() + recv('100', '', ' optional="true"') + recv('486', ss('state=TERMINATED;','a')) + ack_non2xx(3)
uas_us = recv('INVITE') + REJ(486, 'Busy Here') + recv('ACK') + pause(600)
write('proxy/unsupervised', {'uac.xml': finish('caller: gets the 486', 'unsup: uac', uac_us),
                             'uas.xml': finish('busy target; a second INVITE would be unexpected', 'unsup: a', uas_us)},
      ini('Unsupervised proxy: the best-response callback is not called, so no re-proxy; the 486 goes upstream (PROXY-13)',
          'PROXY-13 PROXY-10', 'fork', '--unsupervised --target sip:bob@{callee} --reproxy sip:bob@{callee}', ONE))
print("proxy flows: ok")

# ================= send-on and fork, more =================
# ---- send-on: the callee hangs up, straight to the caller (no Record-Route) ----
uac_scb = invite() + recv('100', '', ' optional="true"') + recv('180', '', ' optional="true"') + \
    recv('200', ss('state=CONFIRMED;role=PROXY','a') + direct(), ' rrs="true"') + in_dialog('ACK', 1) + \
    recv('BYE', msgre('X-SS-State', 'nostate', inverse=True)) + OK_TO_REQ + pause(100)
uas_scb = recv('INVITE', msgre('Record-Route:', 'rr', inverse=True) + CAPFROM, ' rrs="true"') + resp(180, 'Ringing', rr=False) + \
    resp(200, 'OK', rr=False) + recv('ACK', direct('caller')) + pause(100) + uas_req('BYE', 1, routes=False) + recv('200')
write('send-on/callee-bye', {'uac.xml': finish('caller: the BYE comes straight from the callee', 'send-on bye: uac', uac_scb),
                             'uas.xml': finish('callee: hangs up end to end', 'send-on bye: uas', uas_scb)},
      ini('SendOnServlet: without Record-Route the callee\'s BYE goes end to end; the proxy never sees it (PROXY-07)',
          'PROXY-07 EX-01', 'send-on', '', ONE))

# ---- send-on: busy ----
write('send-on/busy-486', {'uac.xml': finish('caller of a busy callee', 'send-on busy: uac', uac_busy),
                           'uas.xml': finish('busy callee', 'send-on busy: uas',
                                             recv('INVITE', msgre('Record-Route:', 'rr', inverse=True)) + REJ(486, 'Busy Here') + recv('ACK') + pause(300))},
      ini('SendOnServlet: a 486 goes upstream; its ACK is absorbed hop by hop', 'EX-01 PROXY-10 PROXY-15 SS-STATE-31',
          'send-on', '', ONE))

# ---- fork: sequential, the first is busy, the second answers ----
uac_sb = invite() + recv('100', '', ' optional="true"') + recv('180', '', ' optional="true"') + \
    recv('200', ss('state=CONFIRMED;role=PROXY','a') + direct('b'), ' rrs="true"') + in_dialog('ACK', 1) + pause(100) + \
    in_dialog('BYE', 2) + recv('200')
uas_sb_b = recv('INVITE') + resp(180, 'Ringing', tag='0B', rr=False) + resp(200, 'OK', tag='0B', rr=False) + \
    recv('ACK', direct('caller')) + recv('BYE') + OK_TO_REQ + pause(100)
write('fork/sequential-busy-then-200', {'uac.xml': finish('caller of a sequential fork', 'seq busy: uac', uac_sb),
                                        'uas-a.xml': finish('first target: busy', 'seq busy: a', uas_rp_a),
                                        'uas-b.xml': finish('second target: answers', 'seq busy: b', uas_sb_b)},
      ini('Sequential fork: after the first target\'s 486 the second is tried and answers; the 486 is never seen upstream (PROXY-05)',
          'PROXY-05 PROXY-10', 'fork', '--sequential --target sip:bob@{a} --target sip:bob@{b}', two()))

# ---- fork: both branches answer; every 2xx goes upstream ----
# SIPp keeps one route set and one remote target per call, from the first
# rrs="true" response: the second dialog's target (B's Contact, its own
# address) is written out.
uac_2 = invite() + recv('100', '', ' optional="true"') + recv('180', '', ' optional="true"') + recv('180', '', ' optional="true"') + \
    recv('200', ss('state=CONFIRMED;role=PROXY','a'), ' rrs="true"') + in_dialog('ACK', 1) + \
    recv('200', ss('state=CONFIRMED;role=PROXY;.*derived=1','b') + msgre('Contact: <sip:bob@127.0.0.1:[0-9]+>', 'bct') + SAVETO) + \
    in_dialog('ACK', 1).replace('[next_url]', 'sip:bob@[b]') + pause(100) + \
    caller_req('BYE', 2).replace('[next_url]', 'sip:bob@[b]') + recv('200') + recv('BYE') + OK_TO_REQ + pause(100)
uas_2a = recv('INVITE', CAPFROM, ' rrs="true"') + resp(180, 'Ringing', tag='0A') + resp(200, 'OK', tag='0A') + \
    recv('ACK') + pause(400) + uas_req('BYE', 1).replace('SIPpTag01', 'SIPpTag0A') + recv('200')
uas_2b = recv('INVITE') + pause(100) + resp(180, 'Ringing', tag='0B') + pause(150) + resp(200, 'OK', tag='0B') + \
    recv('ACK') + recv('BYE') + OK_TO_REQ + pause(100)
write('fork/parallel-two-200', {'uac.xml': finish('caller: two 2xx, two dialogs', 'two 200: uac', uac_2),
                                'uas-a.xml': finish('branch A: answers first, hangs up later', 'two 200: a', uas_2a),
                                'uas-b.xml': finish('branch B: rings after A has answered, then answers', 'two 200: b', uas_2b)},
      ini('Parallel fork without CANCEL (RFC 3841): both branches answer, both 2xx go upstream; the second dialog is a derived session',
          'PROXY-09 DERIVED-01 PROXY-04', 'fork', '--record-route --no-cancel --target sip:bob@{a} --target sip:bob@{b}',
          two(), 'derived = 1\n'))

# ---- fork: the branch request carries the target, one Via more, Max-Forwards less ----
uac_rt = invite() + recv('100', '', ' optional="true"') + recv('486', ss('state=TERMINATED;','a')) + ack_non2xx(3)
uas_rt = recv('INVITE', msgre('^INVITE sip:carol@', 'ru') + msgre('\\nTo: <sip:bob@', 'to') +
              msgre('Via:[^\\n]*\\n[Vv]ia:', 'twovia') + msgre('Via:[^\\n]*\\n[Vv]ia:[^\\n]*\\n[Vv]ia:', 'threevia', inverse=True)) + \
    REJ(486, 'Busy Here') + recv('ACK')
write('fork/request-uri-target', {'uac.xml': finish('caller: to bob', 'target: uac', uac_rt),
                                  'uas.xml': finish('target carol: the branch copy of the request', 'target: carol', uas_rt)},
      ini('The branch request is a copy with the target as Request-URI; the original To stays (PROXY-08, PROXY-17)',
          'PROXY-08 PROXY-17 PROXY-04', 'fork', '--target sip:carol@{callee}', ONE))

# ---- fork: a 603 beats a 486 ----
uac_603 = invite() + recv('100', '', ' optional="true"') + recv('603', ss('state=TERMINATED;role=PROXY','a')) + ack_non2xx(3)
write('fork/decline-603', {'uac.xml': finish('caller: gets the 6xx', '603: uac', uac_603),
                           'uas-a.xml': finish('branch A: busy at once', '603: a', recv('INVITE') + REJ(486, 'Busy Here') + recv('ACK')),
                           'uas-b.xml': finish('branch B: declines a little later', '603: b',
                                               recv('INVITE') + pause(200) + REJ(603, 'Decline') + recv('ACK'))},
      ini('Best response: a 6xx wins over a 4xx (PROXY-10)', 'PROXY-10 SS-STATE-31', 'fork',
          '--target sip:bob@{a} --target sip:bob@{b}', two()))

# ---- fork: the application answers in the best-response callback ----
uac_ba = invite() + recv('100', '', ' optional="true"') + recv('480', ss('state=TERMINATED;','a') + msgre('SIP/2.0 480', 's')) + ack_non2xx(3)
write('proxy/best-response-app-answer', {'uac.xml': finish('caller: gets the application\'s answer, not the 486', 'best answer: uac', uac_ba),
                                         'uas.xml': finish('target: busy', 'best answer: a', uas_rp_a + pause(300))},
      ini('Best-response callback: the application answers upstream itself (480) instead of forwarding the 486 (PROXY-11)',
          'PROXY-11 PROXY-13', 'fork', '--target sip:bob@{callee} --best-answer 480', ONE))

# ---- fork: the only branch times out: 408 ----
# CF-18: a synthesized 408 (sstck-ref, MSS) or the cancelled branch's 487
# (RFC 3261 16.8, Cipango); the oracle judges which by the target's side
uac_to = invite() + recv('100', '', ' optional="true"') + recv('180', '', ' optional="true"') + \
    '  <!-- CF-18: a synthesized 408 (sstck-ref, MSS) or the cancelled branch\'s\n' + \
    '       487 (RFC 3261 16.8, Cipango); the oracle judges which, by the\n' + \
    '       target\'s side (PROXY-10) -->\n' + \
    recv('408', ss('state=TERMINATED;','a'), ' optional="true" next="final"') + \
    recv('487', ss('state=TERMINATED;','b')) + '  <label id="final"/>\n' + ack_non2xx(5)
write('fork/branch-timeout-408', {'uac.xml': finish('caller: the only target never answers', 'timeout: uac', uac_to),
                                  'uas.xml': finish('target: rings until cancelled', 'timeout: a', ringer('0A', rr=False))},
      ini('Sequential fork: the last branch times out after ringing and is cancelled; the caller gets 408 (CF-18=0) or that branch\'s 487 (CF-18=1)',
          'PROXY-05 PROXY-10 PROXY-14 SS-STATE-31', 'fork', '--sequential --branch-timeout 600 --target sip:bob@{callee}', ONE))
print("send-on, fork, more: ok")

# ================= B2BUA, more =================
B2B_CALLEE_LEG = lambda extra='': recv('INVITE', CAPFROM + extra, ' rrs="true"') + resp(180, 'Ringing', rr=False) + resp(200, 'OK', rr=False) + recv('ACK')
uac_bcb = invite() + recv('100', '', ' optional="true"') + recv('180', '', ' optional="true"') + \
    recv('200', ss('state=CONFIRMED;role=UAS','a'), ' rrs="true"') + in_dialog('ACK', 1) + \
    recv('BYE', ss('state=CONFIRMED;role=UAS','b')) + OK_TO_REQ + pause(200)
uas_bcb = B2B_CALLEE_LEG() + pause(100) + uas_req('BYE', 1, routes=False) + recv('200', ss('state=TERMINATED;role=UAC','a'))
write('b2bua/callee-bye', {'uac.xml': finish('caller of a B2BUA call the callee ends', 'b2b callee bye: uac', uac_bcb),
                           'uas.xml': finish('callee leg: hangs up', 'b2b callee bye: uas', uas_bcb)},
      ini('B2BUA: established, then the callee hangs up; the BYE is relayed on the linked leg (TCK B2BUA flow)',
          'B2B-07 SS-STATE-25 SS-STATE-22', 'b2bua', '', ONE))

uac_bb = invite() + recv('100', '', ' optional="true"') + recv('486', ss('state=TERMINATED;role=UAS','a')) + ack_non2xx(3)
uas_bb = recv('INVITE', ss('state=INITIAL;role=UAC','a')) + REJ(486, 'Busy Here') + recv('ACK') + pause(200)
write('b2bua/busy-486', {'uac.xml': finish('caller of a B2BUA whose callee is busy', 'b2b busy: uac', uac_bb),
                         'uas.xml': finish('busy callee', 'b2b busy: uas', uas_bb)},
      ini('B2BUA: the callee is busy; the UAC leg goes back to INITIAL, the 486 is answered on the original request (SS-STATE-14, B2B-08)',
          'SS-STATE-14 B2B-08 SS-STATE-23', 'b2bua', '', ONE))

uac_bri = invite() + recv('100', '', ' optional="true"') + recv('180', '', ' optional="true"') + \
    recv('200', ss('state=CONFIRMED;role=UAS','a'), ' rrs="true"') + in_dialog('ACK', 1) + pause(100) + \
    in_dialog('INVITE', 2) + recv('100', '', ' optional="true"') + recv('200', ss('state=CONFIRMED;role=UAS','b')) + \
    in_dialog('ACK', 2) + pause(100) + in_dialog('BYE', 3) + recv('200', ss('state=TERMINATED;role=UAS','c'))
uas_bri = B2B_CALLEE_LEG() + recv('INVITE', ss('state=CONFIRMED;role=UAC','a') + msgre('\\nTo:[^\\n]*tag=', 'tt')) + \
    resp(200, 'OK', tag='', rr=False) + recv('ACK') + recv('BYE') + OK_TO_REQ + pause(200)
write('b2bua/reinvite', {'uac.xml': finish('caller: re-INVITE through the B2BUA', 'b2b reinvite: uac', uac_bri),
                         'uas.xml': finish('callee leg: the re-INVITE arrives in its dialog', 'b2b reinvite: uas', uas_bri)},
      ini('B2BUA: a re-INVITE is relayed as a subsequent request on the linked leg (B2B-07)',
          'B2B-07 SS-STATE-22', 'b2bua', '', ONE))

uac_b481 = invite() + recv('100', '', ' optional="true"') + recv('180', '', ' optional="true"') + \
    recv('200', '', ' rrs="true"') + in_dialog('ACK', 1) + pause(100) + in_dialog('BYE', 2) + \
    recv('200', ss('state=TERMINATED;role=UAS','a')) + pause(100) + in_dialog('BYE', 3) + recv('481')
uas_b481 = B2B_CALLEE_LEG() + recv('BYE') + OK_TO_REQ + pause(400)
write('b2bua/bye-after-end-481', {'uac.xml': finish('caller: a second BYE after the call ended', 'b2b 481: uac', uac_b481),
                                  'uas.xml': finish('callee leg: one BYE only', 'b2b 481: uas', uas_b481)},
      ini('B2BUA: TERMINATED is absorbing: a request in the ended dialog gets 481 and never reaches the other leg (SS-STATE-04)',
          'SS-STATE-04 SS-STATE-25', 'b2bua', '', ONE))

uac_bdf = invite() + recv('100', '', ' optional="true"') + recv('180', '', ' optional="true"') + \
    recv('200', ss('state=CONFIRMED;role=UAS','a'), ' rrs="true"') + in_dialog('ACK', 1) + pause(100) + \
    in_dialog('BYE', 2) + recv('200')
uas_bdf = recv('INVITE', CAPFROM, ' rrs="true"') + resp(180, 'Ringing', tag='0A', rr=False) + \
    resp(200, 'OK', tag='0B', rr=False) + recv('ACK', ss('state=CONFIRMED;role=UAC;.*derived=1','a')) + \
    recv('BYE') + OK_TO_REQ + pause(200)
write('b2bua/downstream-fork', {'uac.xml': finish('caller of a B2BUA whose callee side forks', 'b2b fork: uac', uac_bdf),
                                'uas.xml': finish('callee side: 180 from one fork, 200 from another', 'b2b fork: uas', uas_bdf)},
      ini('B2BUA: the callee side forks (180 with one To tag, 200 with another): a derived UAC session answers, and a matching derived UAS session upstream (B2B-09, DERIVED-01)',
          'B2B-09 DERIVED-01', 'b2bua', '', ONE, 'derived = 2\n'))
print("b2bua, more: ok")

# ================= registrations and the SimpleProxyServlet =================
def out_of_dialog(method, cseq, extra='', ruri='sip:bob@[callee]', to='<sip:bob@[callee]>', branch='[branch]'):
    return send('''%s %s SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=%s
%s
To: %s
Call-ID: [call_id]
CSeq: %d %s
Contact: <sip:alice@[local_ip]:[local_port]>
Max-Forwards: 70
%sContent-Length: 0
''' % (method, ruri, branch, FROM, to, cseq, method, extra), retrans=True)

# ---- EX-04: record-route the INVITE only ----
uac_sp = out_of_dialog('MESSAGE', 1, 'Content-Type: text/plain\n') + recv('200') + \
    invite().replace('CSeq: 1 INVITE', 'CSeq: 2 INVITE') + recv('100', '', ' optional="true"') + \
    recv('486', ss('state=TERMINATED;role=PROXY','a')) + ack_non2xx(3).replace('CSeq: 1 ACK', 'CSeq: 2 ACK')
uas_sp = recv('MESSAGE', msgre('Record-Route:', 'rr1', inverse=True)) + REJ(200, 'OK') + \
    recv('INVITE', msgre('Record-Route: <sip:[^>]*;lr[;>]', 'rr2')) + REJ(486, 'Busy Here') + recv('ACK')
write('proxy/simple-proxy-invite-rr', {'uac.xml': finish('a MESSAGE, then an INVITE', 'simple proxy: uac', uac_sp),
                                       'uas.xml': finish('callee: Record-Route on the INVITE only', 'simple proxy: uas', uas_sp)},
      ini('SimpleProxyServlet (EX-04): initial INVITEs are record-routed, a MESSAGE is proxied without Record-Route',
          'EX-04 PROXY-06 PROXY-08', 'proxy', '--rr-invite-only', ONE))

# ---- PROXY-18: Path on a proxied REGISTER ----
REG = dict(ruri='sip:[callee]', to='<sip:alice@[local_ip]:[local_port]>')
uac_pt = out_of_dialog('REGISTER', 1, 'Expires: 60\n', **REG) + recv('200', msgre('[Pp]ath: <sip:', 'p'))
uas_pt = recv('REGISTER', msgre('\\n[Pp]ath: <sip:127.0.0.1:[0-9]+;lr>', 'path') + msgre('Record-Route:', 'rr', inverse=True)) + \
    send('''SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
[last_Contact:]
[last_Path:]
Content-Length: 0
''')
write('send-on/register-path', {'uac.xml': finish('a user agent registering through the proxy', 'path: uac', uac_pt),
                                'uas.xml': finish('registrar: sees the proxy in Path', 'path: registrar', uas_pt)},
      ini('Register path: a proxied REGISTER carries a Path header for the proxy, not a Record-Route (PROXY-18)',
          'PROXY-18 EX-01', 'send-on', '--path', ONE))

# ---- SS-STATE-52: a REGISTER retried after 401 on the same non-dialog session ----
uac_ra = out_of_dialog('REGISTER', 1, 'Expires: 60\n', **REG) + recv('200', ss('role=UAS', 'a'))
uas_ra = recv('REGISTER', CAP1 + msgre('\\nTo:[^\\n]*tag=', 'tt', inverse=True)) + send('''SIP/2.0 401 Unauthorized
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag0X[call_number]
[last_Call-ID:]
[last_CSeq:]
WWW-Authenticate: Digest realm="sstck", nonce="1"
Content-Length: 0
''') + recv('REGISTER', CAP2 + msgre('CSeq: 2 REGISTER', 'cs') + msgre('Authorization: Digest', 'au') +
            msgre('\\nTo:[^\\n]*tag=', 'tt2', inverse=True) + ss('role=UAC', 's')) + REJ(200, 'OK')
write('b2bua/register-auth-retry', {'uac.xml': finish('a user agent registering through the B2BUA', 'reg 401: uac', uac_ra),
                                    'uas.xml': finish('registrar: challenges once', 'reg 401: registrar', uas_ra)},
      ini('A non-dialog UAC session keeps no remote tag: the REGISTER retried after 401 has the same Call-ID, the next CSeq, no To tag (SS-STATE-52)',
          'SS-STATE-52 SS-STATE-15 B2B-02', 'b2bua', '--auth-retry', ONE))
print("registrations: ok")

# ---- B2B-11: the deprecated route keeps the Call-ID on the new leg ----
uac_sc = invite() + recv('100', '', ' optional="true"') + recv('180', '', ' optional="true"') + \
    recv('200', ss('state=CONFIRMED;role=UAS','a'), ' rrs="true"') + in_dialog('ACK', 1) + pause(100) + \
    in_dialog('BYE', 2) + recv('200', ss('state=TERMINATED;role=UAS','b'))
uas_sc = recv('INVITE', CAPFROM + msgre('Call-ID: [0-9]+-[0-9]+@127.0.0.1', 'samecid') + msgre('tag=[0-9]+SIPpTag00', 'oldtag', inverse=True) +
              msgre('\\nTo:[^\\n]*tag=', 'tt', inverse=True) + ss('state=INITIAL;role=UAC', 's'), ' rrs="true"') + \
    resp(180, 'Ringing', rr=False) + resp(200, 'OK', rr=False) + recv('ACK') + recv('BYE') + OK_TO_REQ + pause(200)
write('b2bua/same-call-id-deprecated', {'uac.xml': finish('caller of a B2BUA built the 1.0 way', 'b2b 1.0: uac', uac_sc),
                                        'uas.xml': finish("callee leg: the caller's Call-ID, a new From tag", 'b2b 1.0: uas', uas_sc)},
      ini("The deprecated SipFactory.createRequest(orig, true): the new leg keeps the caller's Call-ID (an RFC 3261 violation the spec warns of) with a From tag of its own (B2B-11)",
          'B2B-11', 'b2bua', '--same-call-id', ONE))
print("b2bua 1.0: ok")
