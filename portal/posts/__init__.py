"""Public-welfare posts: post plans, nominations, notice and objections, appointments, exits."""
