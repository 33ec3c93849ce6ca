"""Employment-aid workshops (就业帮扶车间, Rule 5): certification, aided employees, monthly reports and
monitoring, orderly exit (摘牌), annual assessment and tiered rewards (梯次奖补)."""
