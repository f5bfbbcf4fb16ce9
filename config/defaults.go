package config

import "time"

// Default paths and values (ARCHITECTURE.md). Every one can be overridden.
const (
	DefaultATVMRoot   = "/root/cdc-e2e-cyp-12.17.4"
	DefaultConfigFile = "cypress.atvm-config-gold.ts" // P4: never cypress.atvm-config.ts
)

// e2eFlow is the 22-step cmc-e2e flow of the operators' 03-27 entry (S8).
var e2eFlow = []string{
	"1. Verifying set up",
	"2. Power on and obtain ip address and host name",
	"3. Uninstall CMC if still exists",
	"4. Setting up disk on the host",
	"5. Copy CMC install command from GUI",
	"6. Install CMC",
	"7. Create migration session",
	"8. Tracking Changes",
	"9. Trigger cmotion and do I/O test before actual cutover",
	"10. Verify data for cmotion",
	"11. Trigger revert cmotion and do I/O test before and during cmotion",
	"12. Verify data for revert cmotion",
	"13. Trigger cmotion again",
	"14. Finalize cutover",
	"15. Create migration report",
	"16. Delete migration session",
	"17. Verify local destination disk",
	"18. Remove enabled FC integration",
	"19. Remove host and volumes",
	"20. Uninstall CMC",
	"21. Clean up iSCSI targets",
	"22. Power off",
}

// Default returns the embedded defaults: a complete configuration for the
// demo (local transport, simulated controller) that production overrides.
func Default() Config {
	std := []string{"--ignore_force_shutdown", "--test_partition"} // P6, P8
	return Config{
		Mattermost: Mattermost{
			Listen:         "127.0.0.1:8080",
			CommandTrigger: "atvm",
		},
		Controller: Controller{
			Transport:         "ssh",
			Port:              22,
			User:              "root",
			KnownHosts:        "~/.ssh/known_hosts",
			HostKeyAlgorithms: nil,
			ConnectTimeout:    15 * time.Second,
			Keepalive:         30 * time.Second,
			ATVMRoot:          DefaultATVMRoot,
			TmpDir:            "/tmp",
			ConfigFile:        DefaultConfigFile,
			Python:            "python3",
			TemplateScript:    "./cmc-templates.py",
			RunnerScript:      "./run-sorry-cypress.py",
			JUnitGlob:         "cypress/results/test-result-*.xml",
			MochawesomeDir:    "cypress/cmcReporter/mochawesome",
			ReporterDir:       "cypress/cmcReporter/logs",
			ShellHistory:      "~/.bash_history",
			CommandTimeout:    time.Minute,
			InspectTimeout:    30 * time.Second,
			FetchTimeout:      10 * time.Minute,
			StepTimeout:       2 * time.Minute,
			TemplateTimeout:   time.Hour,
			StopTimeout:       time.Minute,
			FetchMaxLogBytes:  2 << 30,  // a 1 GB runner log fits
			FetchMaxFileBytes: 64 << 20, // a 64 MB artifact fits
		},
		Storage: Storage{Path: "atvmbot.db", BusyTimeout: 5 * time.Second},
		Approvals: Approvals{
			PlanTTL:   30 * time.Minute,
			ButtonTTL: 24 * time.Hour,
		},
		Watch: Watch{
			PollInterval: 30 * time.Second,
			HungGrace:    20 * time.Minute,
			SettleDelay:  60 * time.Second,
			StopWait:     10 * time.Second,
			PollTimeout:  2 * time.Minute,
			MirrorKeep:   7 * 24 * time.Hour,
		},
		Display: Display{Timezone: "America/New_York"},
		History: History{KeepDays: 180, Window: 10},
		Blacklist: []BlacklistEntry{ // P12, the operators' list of 03-09 and 03-12
			{"atvm6-centos6.0", "CMC INSTALL - CAN'T COMPILE"},
			{"atvm41-redhat6.0", "CMC INSTALL - CAN'T COMPILE"},
			{"atvm73-oracle6.0", "CMC INSTALL - CAN'T COMPILE"},
			{"atvm113-debian9.0.0", "SUPPORT REQUEST - WAITING"},
			{"atvm115-debian9.1.0", "SUPPORT REQUEST - WAITING"},
			{"atvm116-debian9.2.0", "SUPPORT REQUEST - WAITING"},
			{"atvm156-debian9.3.0", "RE-CREATE MIGHT BE NEEDED"},
			{"atvm144-suse15.0", "CRASHES WHEN CREATING MIGRATION SESSION - BUG"},
		},
		Templates: map[string]Template{
			"cmc-e2e": {
				Short: "e2e", PluginBearing: true, DefaultPlugin: "iscsi",
				DefaultFlags: std, StaticFlow: e2eFlow,
			},
			"cmc-reboot": {
				Short: "reboot", PluginBearing: true, DefaultPlugin: "iscsi",
				DefaultFlags: std, WarnBothPlugins: true,
				// The operators' notes name no reboot step list: the flow comes from the
				// generated spec, or "not available" (D10).
			},
			"cmc-systemOS": {
				Short: "systemos", DefaultFlags: std,
				// The operators' notes name no systemOS step list either (D10).
			},
			"cmc-migrateops-compute-migration": {
				Short: "migrate", DefaultFlags: std,
				DefaultPlatform:  "vmware", // D12
				PlatformDefaults: []string{"--set_static_ip_dest"},
			},
		},
	}
}
