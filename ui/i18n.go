package ui

import (
	"embed"
	"fmt"
	"os"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
)

// Every user-visible string goes through lang.L with its English text as the
// key; translations/en.json, zh.json (Simplified Chinese), zh-TW.json
// (Traditional Chinese) and ja.json hold every key (a test checks). Fyne
// names each file's language after the file, and its matcher sends a
// zh_TW, zh_HK or zh_MO system to zh-TW.json (Traditional), and zh_CN or
// zh_SG to zh.json (Simplified).
//
//go:embed translations/*.json
var translations embed.FS

// languages are the choices in the settings, in the order shown; "" follows
// the system.
var languages = []struct{ Code, Name string }{
	{"", "Follow the system"},
	{"en", "English"},
	{"zh", "简体中文"},
	{"zh-TW", "繁體中文"},
	{"ja", "日本語"},
}

// systemLanguage is LANGUAGE as the app found it, to go back to when the
// user returns to following the system.
var systemLanguage = func() (l struct {
	value string
	set   bool
}) {
	l.value, l.set = os.LookupEnv("LANGUAGE")
	return l
}()

// setLanguage loads the app's translations and selects code ("" for the
// system's language). Fyne picks the language from the environment when
// translations are added, so a chosen language is put there first.
func setLanguage(code string) error {
	if code == "" {
		if systemLanguage.set {
			os.Setenv("LANGUAGE", systemLanguage.value)
		} else {
			os.Unsetenv("LANGUAGE")
		}
	} else {
		// LANGUAGE wins over LC_ALL/LC_MESSAGES/LANG unless they are "C" or
		// "POSIX", which turn translation off.
		for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
			if s := os.Getenv(v); s != "" {
				if s == "C" || s == "POSIX" {
					os.Setenv(v, code)
				}
				break
			}
		}
		os.Setenv("LANGUAGE", code)
	}
	if err := lang.AddTranslationsFS(translations, "translations"); err != nil {
		return fmt.Errorf("failed to load the translations: %w", err)
	}
	// Fyne's own Chinese strings are tagged zh-Hans, which the language
	// matcher prefers for "zh"; ours must be found under the same tag.
	zh, err := translations.ReadFile("translations/zh.json")
	if err != nil {
		return fmt.Errorf("failed to load the translations: %w", err)
	}
	if err := lang.AddTranslationsForLocale(zh, fyne.Locale("zh-Hans")); err != nil {
		return fmt.Errorf("failed to load the translations: %w", err)
	}
	return nil
}

// textWrap is how a wrapped label breaks its lines in the language on
// screen. Chinese and Japanese are written without spaces; Fyne's word
// wrapping took such a sentence for one long word and got the label's
// height wrong by a line, so that the text ran over what came below it.
// Breaking between any two characters is how those languages wrap. The
// language is told by the script of its word for "Files".
func textWrap() fyne.TextWrap {
	if r, _ := utf8.DecodeRuneInString(lang.L("Files")); breaksAnywhere(r) {
		return fyne.TextWrapBreak
	}
	return fyne.TextWrapWord
}
