package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	mmbot "github.com/atvm/atvmbot/bot/mattermost"
	"github.com/atvm/atvmbot/internal/itlog"
	"github.com/atvm/atvmbot/simulator"
)

// refusedPrefix: every refusal the bot answers starts with one of these.
func refused(msg string) bool {
	return strings.HasPrefix(msg, "⚠️") || strings.HasPrefix(msg, "⛔")
}

// answer sends one slash command as a user and returns the bot's answer (the
// ephemeral that is not the "received" acknowledgement), or Mattermost's own
// error when the server refused the command before it reached the bot.
func (w *world) answer(ctx context.Context, as *model.Client4, eph *ephemerals, text string) (msg string, serverErr error) {
	eph.drain()
	if _, err := w.exec(ctx, as, text); err != nil {
		return "", err
	}
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		m := eph.next(time.Until(deadline))
		if m != "" && !strings.HasPrefix(m, "⏳") {
			return m, nil
		}
	}
	return "", nil
}

// stripCode removes code spans and fenced blocks: what remains is what
// Mattermost's markdown and link parsing see.
func stripCode(s string) string {
	s = regexp.MustCompile("(?s)```.*?```").ReplaceAllString(s, "")
	return regexp.MustCompile("`[^`\n]*`").ReplaceAllString(s, "")
}

var planIDRE = regexp.MustCompile("^#### Plan `(p-[0-9a-f]+)`: `([^`]+)`")

// Hostile input through the real server: every generated malformed or
// malicious /atvm text is refused with a message and nothing runs on the
// controller (the simulator's own audit stays empty); as many valid and
// near-miss texts all make plans (D18); a non-approver's click, a forged
// button, a replayed button, a used or superseded plan and a wrong slash
// token are all refused (P1, P2, D14); and the bot keeps serving: the one
// approved plan then runs to its final post.
func TestE2E_Hostile_D18_RefusedWithMessageNothingRuns(t *testing.T) {
	record(t)
	scen, truth := readScenario(t, "happy.yaml")
	w := newWorld(t, "hostile", worldOpts{scenario: scen})
	itlog.Ran(t, "e2e")
	w.dumpOnFailure()
	ctx := ctxT(t, 8*time.Minute)
	w.start()
	aliceEph := listenEphemerals(t, suite.mm["MM_USER_TOKEN"])
	adminEph := listenEphemerals(t, suite.mm["MM_ADMIN_TOKEN"])

	// The help as the server hands it to the user: one golden per command,
	// in markdown that Mattermost's link parsing cannot turn into links
	// (syntax in code spans, no bare [..] or <..>).
	for _, text := range []string{"/atvm help", "/atvm help plan", "/atvm help approve", "/atvm help blacklist"} {
		msg, serr := w.answer(ctx, w.alice, aliceEph, text)
		if serr != nil || msg == "" {
			t.Fatalf("%s: %q %v", text, msg, serr)
		}
		golden(t, "help/"+strings.ReplaceAll(strings.TrimPrefix(text, "/atvm "), " ", "-")+".md", msg)
		if bare := regexp.MustCompile("(?m)(^|[^`])[\\[<][A-Za-z|]+[\\]>]"); bare.MatchString(stripCode(msg)) {
			t.Errorf("%s: bracketed words outside code a link parser may take: %q", text, bare.FindString(stripCode(msg)))
		}
	}

	hostile := hostileTexts(20260418)
	if len(hostile) < 200 {
		t.Fatalf("only %d hostile texts", len(hostile))
	}
	t0 := time.Now()
	nRefused, byServer := 0, 0
	for i, text := range hostile {
		msg, serr := w.answer(ctx, w.alice, aliceEph, text)
		switch {
		case serr != nil:
			// Mattermost itself turned the command away: a refusal with its
			// message, and the bot saw nothing.
			byServer++
			nRefused++
		case msg == "":
			t.Errorf("hostile #%d %q: no answer from the bot", i, clipStr(text, 80))
		case !refused(msg):
			t.Errorf("hostile #%d %q: not refused: %s", i, clipStr(text, 80), clipStr(msg, 200))
		default:
			nRefused++
		}
	}
	t.Logf("%d hostile texts: %d refused by the bot, %d by Mattermost before reaching it, in %s",
		len(hostile), nRefused-byServer, byServer, time.Since(t0).Round(time.Millisecond))
	if got := w.audit(); len(got) != 0 {
		t.Fatalf("the controller was asked to run %d commands after hostile input: %+v", len(got), got)
	}
	if posts, _ := w.botPosts(ctx); len(posts) != 0 {
		t.Errorf("hostile input made %d bot posts, e.g. %q", len(posts), clipStr(posts[0].Message, 120))
	}

	// As many valid and near-miss texts: every one makes a plan. One at a
	// time, each answered before the next, as people type them (the bot
	// turns away a flood beyond its in-flight limit, by design).
	valid := validTexts(7, len(hostile))
	t0 = time.Now()
	builds := map[string]string{} // build → plan id
	missing := 0
	planAns := regexp.MustCompile("^Plan `(p-[0-9a-f]+)` posted")
	for i, text := range valid {
		msg, serr := w.answer(ctx, w.alice, aliceEph, text)
		m := planAns.FindStringSubmatch(msg)
		if serr != nil || m == nil {
			missing++
			if missing <= 10 {
				t.Errorf("valid text made no plan: %q: %s %v", text, clipStr(msg, 200), serr)
			}
			continue
		}
		builds[fmt.Sprintf("nm-%d", i)] = m[1]
	}
	t.Logf("%d valid and near-miss texts: %d plans, in %s", len(valid), len(valid)-missing, time.Since(t0).Round(time.Millisecond))
	posts, err := w.botPosts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	plansSeen := map[string]bool{}
	for _, p := range posts {
		if m := planIDRE.FindStringSubmatch(p.Message); m != nil {
			plansSeen[m[1]] = true
		}
	}
	// Two texts may make the same plan (same hash, so the same id): every
	// id answered must be in a plan post.
	answered := map[string]bool{}
	for _, id := range builds {
		answered[id] = true
	}
	for id := range answered {
		if !plansSeen[id] {
			t.Errorf("plan %s was answered but has no plan post in the channel", id)
		}
	}
	if len(plansSeen) != len(answered) {
		t.Errorf("%d distinct plans answered, %d plan posts in the channel", len(answered), len(plansSeen))
	}
	if got := w.audit(); len(got) != 0 {
		t.Fatalf("planning alone asked the controller to run %d commands (P1)", len(got))
	}
	addFigures(func() { figures.accepted += len(valid) - missing })

	// The plan that will run; the previous one is now superseded (P2).
	superseded := builds[fmt.Sprintf("nm-%d", len(valid)-1)]
	plan := w.planOnly(ctx, truth)
	planID := planIDRE.FindStringSubmatch(plan.Message)[1]
	authz := 0
	expectRefusal := func(what, msg, want string) {
		t.Helper()
		if !refused(msg) || !strings.Contains(msg, want) {
			t.Errorf("%s: answer %q, want a refusal containing %q", what, msg, want)
			return
		}
		authz++
	}

	// A non-approver's click: refused, the plan stays open with its buttons.
	aliceEph.drain()
	if err := press(ctx, w.alice, plan.Id, "approve"); err != nil {
		t.Fatal(err)
	}
	expectRefusal("alice's approval click", aliceEph.nextNot("⏳", 10*time.Second), "Not approved")
	if p, _, _ := w.admin.GetPost(ctx, plan.Id, ""); p == nil || len(p.Attachments()) != 1 {
		t.Error("a refused click changed the plan post")
	}

	// A forged context straight to /mm/action: another key, and a real
	// signature over another plan id.
	other, _ := mmbot.NewSigner([]byte("not-the-bot-signing-key-0123"))
	forged, _ := other.Sign(planID, "approve", time.Now().Add(time.Hour))
	real, _ := mustSigner(t).Sign(planID, "approve", time.Now().Add(time.Hour))
	tampered := map[string]any{}
	for k, v := range real {
		tampered[k] = v
	}
	tampered["plan"] = superseded
	for name, c := range map[string]map[string]any{"forged key": forged, "tampered plan": tampered} {
		// The button endpoint answers the clicking user with a plain notice.
		if ans := w.postAction(ctx, suite.mm["MM_ADMIN_USERNAME"], plan.Id, c); !strings.Contains(ans, "could not be verified") {
			t.Errorf("%s button: answer %q, want it refused as unverifiable", name, ans)
		} else {
			authz++
		}
	}

	// The approver's click launches the run.
	if err := press(ctx, w.admin, plan.Id, "approve"); err != nil {
		t.Fatal(err)
	}
	w.waitPost(ctx, "with the run's root", time.Minute, func(p *model.Post) bool { return strings.HasSuffix(idemKey(p), "/root") })

	// The same signed click replayed straight to /mm/action: refused.
	expectRefusal("replayed approval", w.postAction(ctx, suite.mm["MM_ADMIN_USERNAME"], plan.Id, real), "Not approved")
	// The used plan, and a superseded one, approved by text.
	msg, _ := w.answer(ctx, w.admin, adminEph, "approve "+planID)
	expectRefusal("used plan", msg, "Not approved")
	msg, _ = w.answer(ctx, w.admin, adminEph, "approve "+superseded)
	expectRefusal("superseded plan", msg, "Not approved")
	// A wrong slash token straight to /mm/command: 401, and nothing ran.
	code, _, err := httpPost(ctx, w.public+mmbot.PathCommand, "application/x-www-form-urlencoded",
		url.Values{"token": {"forged-token"}, "text": {"plan cmc-e2e --containsVm redhat --build forged"}, "user_name": {suite.mm["MM_ADMIN_USERNAME"]},
			"channel_id": {w.channel.Id}}.Encode())
	if err != nil || code != http.StatusUnauthorized {
		t.Errorf("wrong slash token: HTTP %d, %v; want 401", code, err)
	} else {
		authz++
	}
	addFigures(func() { figures.refusals += nRefused + authz })

	// The bot kept serving: the approved run ends with its final post, and
	// the controller ran exactly that plan's two commands.
	w.waitPost(ctx, "with the final summary", 3*time.Minute, func(p *model.Post) bool { return strings.HasSuffix(idemKey(p), "/final/r0/0") })
	run := w.waitRunState(ctx, time.Minute)
	if run.State != truth.State {
		t.Errorf("run state %s, want %s", run.State, truth.State)
	}
	w.checkArgv(plan.Message)
	acc := w.accountPosts(ctx, w.keys(truth))
	if len(acc.problems) > 0 {
		t.Errorf("posts: %s", strings.Join(acc.problems, "; "))
	}
	if resp, err := http.Get(w.public + mmbot.PathHealth); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("healthz after the hostile run: %v %v", resp, err)
	}
}

// planOnly plans the scenario's run as alice and returns the plan post.
func (w *world) planOnly(ctx context.Context, truth simulator.Expect) *model.Post {
	w.t.Helper()
	if _, err := w.exec(ctx, w.alice, "plan "+truth.Plan+" --build "+w.buildOf(truth)); err != nil {
		w.t.Fatal(err)
	}
	return w.waitPost(ctx, "with the plan", 30*time.Second, func(p *model.Post) bool {
		return strings.HasPrefix(p.Message, "#### Plan ") && strings.Contains(p.Message, "`"+w.buildOf(truth)+"`") && len(p.Attachments()) == 1
	})
}

// postAction POSTs a button press straight to the bot, as an attacker who
// bypasses Mattermost would, and returns the ephemeral text it answers.
func (w *world) postAction(ctx context.Context, user, postID string, c map[string]any) string {
	w.t.Helper()
	body, _ := json.Marshal(map[string]any{"user_name": user, "user_id": suite.mm["MM_ADMIN_USER_ID"], "channel_id": w.channel.Id,
		"post_id": postID, "team_id": suite.mm["MM_TEAM_ID"], "type": "button", "context": c})
	code, resp, err := httpPost(ctx, w.public+mmbot.PathAction, "application/json", string(body))
	if err != nil || code != http.StatusOK {
		w.t.Fatalf("POST %s: HTTP %d %v", mmbot.PathAction, code, err)
	}
	var r struct {
		EphemeralText string `json:"ephemeral_text"`
	}
	_ = json.Unmarshal([]byte(resp), &r)
	return r.EphemeralText
}

func mustSigner(t *testing.T) *mmbot.Signer {
	s, err := mmbot.NewSigner([]byte(signingKey))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// nextNot returns the next ephemeral that does not start with prefix.
func (e *ephemerals) nextNot(prefix string, d time.Duration) string {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if m := e.next(time.Until(deadline)); m != "" && !strings.HasPrefix(m, prefix) {
			return m
		}
	}
	return ""
}
