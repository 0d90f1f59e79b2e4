package events_test

import (
	"context"
	"fmt"
	"os"

	"github.com/domainauth/domainauth/ses/events"
)

// A bounce notification as SES publishes it to SNS: parse it, print the
// summary, and apply it to the account-level suppression list.
func ExampleParseEvent() {
	data := []byte(`{"notificationType": "Bounce",
	  "mail": {"timestamp": "2026-11-27T12:00:00.000Z", "messageId": "m-1", "source": "news@example.org"},
	  "bounce": {"bounceType": "Permanent", "bounceSubType": "General",
	    "bouncedRecipients": [{"emailAddress": "Gone@Example.NET", "status": "5.1.1", "diagnosticCode": "smtp; 550 5.1.1 no such user"}]}}`)
	e, err := events.ParseEvent(data)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := e.WriteText(os.Stdout, events.SuppressionPolicy{}); err != nil {
		fmt.Println(err)
	}

	list := &events.SuppressionList{}
	if _, err := list.Apply(context.Background(), e); err != nil {
		fmt.Println(err)
	}
	_, suppressed, _ := list.Suppressed(context.Background(), "gone@example.net")
	fmt.Println("suppressed:", suppressed)
	// Output:
	// Bounce (identity notification)
	//   message m-1 sent 2026-11-27 12:00 UTC by news@example.org
	//   bounce: Permanent/General from -
	//     Gone@Example.NET 5.1.1 smtp; 550 5.1.1 no such user
	//   suppression list: gone@example.net suppressed (BOUNCE): hard bounce (Permanent/General)
	// suppressed: true
}
