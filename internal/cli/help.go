package cli

import "github.com/alecthomas/kong"

// helpTexts holds the help of flags and commands too long for a struct tag
// under 100 columns; tags name them as ${key}.
var helpTexts = kong.Vars{
	"apply_dir": "The nest (every .fly file below DIR), or a plan saved by plan --out.",
	"apply_refresh": "With a saved plan: when GitLab moved since the plan, plan again and " +
		"apply that.",
	"cmd_plan":    "Show what apply would change in GitLab and the secret store.",
	"cmd_targets": "List every egg's projects after discovery, and what was skipped.",
	"cmd_demo":    "Plan, apply and plan again against a built-in GitLab simulator.",
	"log_level":   "debug logs every GitLab request and every Lockbox and IAM call to stderr.",
	"demo_dir":    "A nest to try; the built-in example nest when omitted.",
	"demo_serve": "Keep the simulated GitLab running for plan and apply by hand, until " +
		"Ctrl-C.",
	"demo_secrets": "Where secrets are kept: file (a JSON file) or lockbox (a simulated " +
		"Lockbox, through the real gRPC client); --serve takes file only.",
	"plan_dir":    "The nest: every .fly file below DIR.",
	"plan_format": "Output: text, markdown or json.",
	"plan_out": "Save the plan for 'apply FILE': its actions, what they found, the " +
		"nest's hash.",
	"plan_json": "Also write the plan as JSON to FILE.",
	"plan_widget": "Write GitLab's terraform report (the counts the merge request widget " +
		"shows) to FILE.",
	"plan_mr_note": "In a merge request pipeline, post the plan as a note or update the " +
		"earlier one.",
	"cmd_secrets_list": "List every secret path of the nest and whether it is stored.",
	"secrets_force": "Replace a stored runner-token or webhook-secret, which apply manages, " +
		"or store a secret of an egg the nest in --dir does not have.",
}
